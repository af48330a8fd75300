// Finds the Pulumi pieces a real run needs where a user's machine keeps them,
// before anything slow starts: the CLI the `pulumi` npm package runs, its
// Node.js language host, and the Kubernetes provider plugin at the version
// @pulumi/kubernetes pins. Nothing is downloaded.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { projectRoot } from "../stack-config";

export interface Engine {
  /** The pulumi executable. */
  cli: string;
  /** PATH with the CLI's folder first, as the npm package runs it (bundled language host). */
  path: string;
  versions: { cli: string; kubernetes: string };
}

const executable = (file: string) => {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

/**
 * A launcher an npm package installs (node_modules/.bin/pulumi, which `npm run`
 * puts on PATH, is the `pulumi` package's node script): it downloads and runs
 * the CLI, it is not one.
 */
const inNodeModules = (file: string) => fs.realpathSync(file).split(path.sep).includes("node_modules");

const onPath = (name: string): string | undefined =>
  (process.env.PATH ?? "")
    .split(path.delimiter)
    .map((dir) => path.join(dir, name))
    .find((file) => executable(file) && !inNodeModules(file));

function pinned(dependency: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const version = pkg.dependencies[dependency] ?? pkg.devDependencies[dependency];
  if (version === undefined) {
    throw new Error(`package.json does not pin ${dependency}`);
  }
  return version;
}

/** The engine, or one line per missing piece saying how to get it. */
export function findEngine(): Engine | { missing: string[] } {
  const home = process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi");
  const cliVersion = process.env.PULUMI_VERSION ?? pinned("pulumi");
  const k8sVersion = pinned("@pulumi/kubernetes");
  const missing: string[] = [];

  const nodeMajor = Number(process.versions.node.split(".")[0]);
  if (nodeMajor < 22) {
    missing.push(`Node.js 22 or newer (this is ${process.version}): @pulumi/pulumi needs it`);
  }
  if (!fs.existsSync(path.join(projectRoot, "node_modules", "@pulumi", "pulumi"))) {
    missing.push("node_modules: run npm ci");
  }

  const bundled = path.join(home, "versions", cliVersion, "bin", "pulumi");
  const cli = executable(bundled) ? bundled : onPath("pulumi");
  if (cli === undefined) {
    missing.push(
      `the Pulumi CLI ${cliVersion} (looked in ${bundled} and on PATH, not counting npm launchers): run npx pulumi version once to install it, or install it there by hand (README.md, What you need)`,
    );
  }
  const cliDir = cli === undefined ? undefined : path.dirname(cli);
  if (cliDir !== undefined && !executable(path.join(cliDir, "pulumi-language-nodejs")) && onPath("pulumi-language-nodejs") === undefined) {
    missing.push(`the Node.js language host pulumi-language-nodejs (next to ${cli ?? "the CLI"} or on PATH): it ships with the CLI`);
  }

  const plugin = path.join(home, "plugins", `resource-kubernetes-v${k8sVersion}`, "pulumi-resource-kubernetes");
  if (!executable(plugin)) {
    missing.push(`the Kubernetes provider plugin v${k8sVersion} (${plugin}): run npx pulumi plugin install resource kubernetes v${k8sVersion}`);
  }

  if (cli === undefined || cliDir === undefined || missing.length > 0) {
    return { missing };
  }
  return {
    cli,
    path: [cliDir, process.env.PATH ?? ""].join(path.delimiter),
    versions: { cli: cliVersion, kubernetes: k8sVersion },
  };
}
