// Runs index.ts under mocks with a stack's configuration read the way the CLI
// passes it to a program (scripts/stack-config.ts). Each run loads the program
// afresh, so one test file can run several stacks.
import * as path from "node:path";
import { cliConfig, stackFilePath } from "../../scripts/stack-config";
import type { Declared } from "./mocks";

export interface StackSource {
  /** The stack name the program sees (pulumi.getStack()). */
  stack: string;
  /** The stack file to read. */
  file: string;
}

/** A stack file committed at the repository root. */
export const committed = (stack: string): StackSource => ({ stack, file: stackFilePath(stack) });

/** A stack file under test/fixtures, run as `stack` (its own name by default). */
export const fixture = (name: string, stack = name): StackSource => ({
  stack,
  file: path.join(__dirname, "..", "fixtures", `Pulumi.${name}.yaml`),
});

export interface UserAdditions {
  /** Plain values set with `pulumi config set` (keys without namespace). */
  set?: Record<string, unknown>;
  /** Values set with `pulumi config set --secret`. */
  secrets?: Record<string, string>;
}

export interface StackRun {
  declared: Declared[];
  outputs: Record<string, unknown>;
  secretOutputs: string[];
}

/** Runs index.ts for a stack file with what a user adds on top of it. */
export async function runStack(source: StackSource, add: UserAdditions = {}): Promise<StackRun> {
  const { config, secretKeys } = cliConfig(source.file);
  for (const [key, value] of Object.entries(add.set ?? {})) {
    config[`goapi:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  for (const [key, value] of Object.entries(add.secrets ?? {})) {
    config[`goapi:${key}`] = value;
    secretKeys.push(`goapi:${key}`);
  }
  let run: StackRun | undefined;
  // A fresh module registry per run: index.ts declares its resources on import.
  await jest.isolateModulesAsync(async () => {
    const pulumi = await import("@pulumi/pulumi");
    const { installMocks, settle } = await import("./mocks");
    const { valueOf } = await import("./values");
    pulumi.runtime.setAllConfig(config, secretKeys);
    const declared = await installMocks(source.stack);
    const program = (await import("../../index")) as Record<string, unknown>;
    const outputs: Record<string, unknown> = {};
    const secretOutputs: string[] = [];
    for (const [name, value] of Object.entries(program)) {
      const out = pulumi.output(value);
      outputs[name] = await valueOf(out, `stack output ${name}`);
      if (await pulumi.isSecret(out)) {
        secretOutputs.push(name);
      }
    }
    await settle();
    run = { declared, outputs, secretOutputs };
  });
  if (run === undefined) {
    throw new Error(`running ${source.file} produced nothing`);
  }
  return run;
}
