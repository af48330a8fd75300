// npm run test:engine's preflight finds the real Pulumi CLI, never the npm
// package's launcher in node_modules/.bin (which npm run puts on PATH): with
// only the launcher it says the CLI is missing.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { projectRoot } from "../scripts/stack-config";
import { findEngine } from "../scripts/engine/preflight";

const pinned = (JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies.pulumi ?? "";
const savedEnv = process.env;
let dir: string;

function executable(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  return file;
}

/** A folder like node_modules/.bin: `pulumi` a link to the package's node launcher. */
function launcherBin(): string {
  const bin = path.join(dir, "project", "node_modules", ".bin");
  const runJs = executable(path.join(dir, "project", "node_modules", "pulumi", "run.js"));
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(path.relative(bin, runJs), path.join(bin, "pulumi"));
  return bin;
}

const cliMissing = /^the Pulumi CLI \S+ \(looked in .* and on PATH/;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-preflight-"));
  // PULUMI_VERSION would pick another CLI release than the pinned one.
  process.env = Object.fromEntries(Object.entries(savedEnv).filter(([key]) => key !== "PULUMI_VERSION"));
  process.env.PULUMI_HOME = path.join(dir, "pulumi-home");
  // The Kubernetes plugin and a language host are there, so only the CLI is in question.
  const plugins = path.join(dir, "pulumi-home", "plugins");
  const k8s = (JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies["@pulumi/kubernetes"] ?? "";
  executable(path.join(plugins, `resource-kubernetes-v${k8s}`, "pulumi-resource-kubernetes"));
});

afterEach(() => {
  process.env = savedEnv;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the engine check's preflight", () => {
  it("does not take the npm package's launcher in node_modules/.bin for the CLI", () => {
    process.env.PATH = [launcherBin(), "/usr/bin", "/bin"].join(path.delimiter);
    const found = findEngine();
    const missing = "missing" in found ? found.missing : [];
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatch(cliMissing);
  });

  it("does not take the project's own node_modules/.bin/pulumi for the CLI, as npm run puts it on PATH", () => {
    process.env.PATH = [path.join(projectRoot, "node_modules", ".bin"), "/usr/bin", "/bin"].join(path.delimiter);
    const found = findEngine();
    const missing = "missing" in found ? found.missing : [];
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatch(cliMissing);
  });

  it("takes a CLI on PATH outside node_modules, with its language host beside it", () => {
    const bin = path.join(dir, "pulumi-by-hand", "bin");
    const cli = executable(path.join(bin, "pulumi"));
    executable(path.join(bin, "pulumi-language-nodejs"));
    process.env.PATH = [launcherBin(), bin, "/usr/bin", "/bin"].join(path.delimiter);
    expect(findEngine()).toMatchObject({ cli });
  });

  it("takes the CLI the npm package installed, in PULUMI_HOME/versions/<version>/bin, before anything on PATH", () => {
    const bin = path.join(dir, "pulumi-home", "versions", pinned, "bin");
    const cli = executable(path.join(bin, "pulumi"));
    executable(path.join(bin, "pulumi-language-nodejs"));
    process.env.PATH = [launcherBin(), "/usr/bin", "/bin"].join(path.delimiter);
    expect(findEngine()).toMatchObject({ cli, versions: { cli: pinned } });
  });
});
