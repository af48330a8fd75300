// The local stack through the Automation API, set up as local:up leaves it:
// the file backend in .pulumi, the local-only passphrase unless the user set
// their own, and the CLI fed a copy of Pulumi.local.yaml in the state folder
// (scripts/lib/local.sh says why), renewed before every update so edits to the
// committed file take effect.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { localNames } from "../../local/addons/names";
import { explainRollout } from "../../rollout/explain";
import { kubectlCluster } from "../../rollout/kubectl";
import { readStackState } from "../../rollout/stack-state";
import type { DevStack, UpOutcome } from "./loop";

export const stackName = "local";
/** scripts/lib/local.sh sets the same (test/local-names.test.ts compares them). */
export const defaultPassphrase = "local-only-passphrase";
/** kubectl inside the kind node, as local:up uses it: the user may have none of their own. */
export const nodeKubectl = ["docker", "exec", `${localNames.cluster}-control-plane`, "kubectl", "--kubeconfig=/etc/kubernetes/admin.conf"];

export class NoLocalStack extends Error {}

export function localEnv(repo: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const vars: Record<string, string> = {
    PULUMI_BACKEND_URL: `file://${path.join(repo, ".pulumi")}`,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: "true",
  };
  if (env.PULUMI_CONFIG_PASSPHRASE === undefined && (env.PULUMI_CONFIG_PASSPHRASE_FILE ?? "") === "") {
    vars.PULUMI_CONFIG_PASSPHRASE = defaultPassphrase;
  }
  return vars;
}

/** The copy of the committed stack file the CLI reads, renewed; returns its path. */
export function stackFileCopy(repo: string): string {
  const project = /^name: *(\S+)/m.exec(fs.readFileSync(path.join(repo, "Pulumi.yaml"), "utf8"))?.[1] ?? "goapi";
  const dir = path.join(repo, ".pulumi", "stack-config", project);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(repo, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.copyFileSync(path.join(repo, `Pulumi.${stackName}.yaml`), path.join(dir, `Pulumi.${stackName}.yaml`));
  return path.join(dir, `Pulumi.${stackName}.yaml`);
}

/** The CLI of the `pulumi` npm package, as local:up runs it (downloaded on first use). */
async function cliPath(repo: string): Promise<string> {
  const resolver = (await import(path.join(repo, "node_modules", "pulumi", "lib", "resolve.js"))) as { resolve: () => Promise<string> };
  return resolver.resolve();
}

/** The engine's error lines, without the CLI's banner and resource tables. */
function engineError(message: string): string {
  const lines = message.split("\n").map((l) => l.trim());
  const errors = lines.filter((l) => /^error:|failed|timed out/i.test(l));
  return (errors.length > 0 ? errors : lines.filter((l) => l !== "")).slice(0, 5).join(" | ");
}

export async function localStack(repo: string): Promise<DevStack> {
  if (!fs.existsSync(path.join(repo, ".pulumi"))) {
    throw new NoLocalStack("there is no local state (.pulumi): bring the stack up first with npm run local:up");
  }
  const bin = await cliPath(repo);
  const envVars = localEnv(repo);
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(path.dirname(bin)) });
  const workspace = await LocalWorkspace.create({ workDir: repo, pulumiCommand, envVars });
  let stack: Stack;
  try {
    stack = await LocalWorkspace.selectStack({ stackName, workDir: repo }, { pulumiCommand, envVars, workDir: workspace.workDir });
  } catch (e) {
    throw new NoLocalStack(`the stack ${stackName} cannot be selected (${engineError(e instanceof Error ? e.message : String(e))}): bring it up first with npm run local:up`);
  }

  return {
    async up({ onEvent, onOutput, signal }): Promise<UpOutcome> {
      try {
        const result = await stack.up({ onEvent, onOutput, signal, configFile: stackFileCopy(repo), color: "never", suppressProgress: true, suppressOutputs: true });
        const url: unknown = result.outputs.url?.value;
        return { ok: result.summary.result === "succeeded", url: typeof url === "string" ? url : undefined };
      } catch (e) {
        return { ok: false, error: engineError(e instanceof Error ? e.message : String(e)) };
      }
    },
    async explain(): Promise<string[]> {
      // The state with its secrets, read-only, as local:up reads it: the explanation redacts them.
      const exported = await new Promise<string>((resolve, reject) => {
        execFile(
          bin,
          ["stack", "export", "--show-secrets", "--stack", stackName, "--cwd", repo],
          { env: { ...process.env, ...envVars }, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" },
          (error, stdout) => {
            if (error) {
              reject(new Error("pulumi stack export failed"));
            } else {
              resolve(stdout);
            }
          },
        );
      });
      const state = readStackState(exported);
      const cluster = kubectlCluster(nodeKubectl, state.cluster);
      try {
        return await explainRollout(state, cluster);
      } finally {
        cluster.close();
      }
    },
  };
}
