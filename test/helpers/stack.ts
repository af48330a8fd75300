// Runs index.ts under mocks with a stack's configuration read from
// Pulumi.yaml and Pulumi.<stack>.yaml the way the CLI passes it to a program.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { Declared, installMocks, settle } from "./mocks";
import { valueOf } from "./values";

const root = path.join(__dirname, "..", "..");

interface ProjectFile {
  name: string;
  config?: Record<string, { default?: unknown; value?: unknown } | string | number | boolean>;
}
interface StackFile {
  config?: Record<string, unknown>;
}

/** The CLI hands strings through and everything else as JSON. */
const asConfigString = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

/** A stack's configuration map (namespaced keys) and which keys are secret. */
export function cliConfig(stack: string, set: Record<string, unknown> = {}, secrets: Record<string, string> = {}) {
  const project = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as ProjectFile;
  const stackFile = parse(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as StackFile | null;
  const config: Record<string, string> = {};
  for (const [key, decl] of Object.entries(project.config ?? {})) {
    const value = typeof decl === "object" ? (decl.value ?? decl.default) : decl;
    if (value !== undefined) {
      config[`${project.name}:${key}`] = asConfigString(value);
    }
  }
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(stackFile?.config ?? {})) {
    if (typeof value === "object" && value !== null && "secure" in value) {
      // Encrypted with the user's secrets provider; the CLI would decrypt it.
      config[key] = "decrypted-value-of-" + key;
      secretKeys.push(key);
      continue;
    }
    config[key] = asConfigString(value);
  }
  for (const [key, value] of Object.entries(set)) {
    config[`goapi:${key}`] = asConfigString(value);
  }
  for (const [key, value] of Object.entries(secrets)) {
    config[`goapi:${key}`] = value;
    secretKeys.push(`goapi:${key}`);
  }
  return { config, secretKeys };
}

export interface StackRun {
  declared: Declared[];
  outputs: Record<string, unknown>;
  secretOutputs: string[];
}

/**
 * Runs index.ts for `stack` with what a user adds on top of the committed
 * stack file (`set` plain values, `secrets` set with --secret).
 */
export async function runStack(stack: string, set: Record<string, unknown> = {}, secrets: Record<string, string> = {}): Promise<StackRun> {
  const { config, secretKeys } = cliConfig(stack, set, secrets);
  pulumi.runtime.setAllConfig(config, secretKeys);
  const declared = await installMocks(stack);
  const program = (await import("../../index")) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const [name, value] of Object.entries(program)) {
    const out = pulumi.output(value);
    outputs[name] = await valueOf(out);
    if (await pulumi.isSecret(out)) {
      secretOutputs.push(name);
    }
  }
  await settle();
  return { declared, outputs, secretOutputs };
}
