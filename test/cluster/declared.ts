// The one place the cluster checks use the unit tests' helpers: run index.ts
// under the same mocks, with a stack's committed config plus what a user adds
// to it before the first `pulumi up`.
import type { StackRun } from "../helpers/stack";

interface UserConfig {
  set: Record<string, unknown>;
  secrets: Record<string, string>;
}

/** What the README asks a user to add to each stack file (registry credentials for dev and prod). */
const added: Record<string, UserConfig> = {
  local: { set: {}, secrets: {} },
  dev: { set: { registryUsername: "deploy-bot" }, secrets: { registryPassword: "registry-token-dev" } },
  prod: { set: { registryUsername: "deploy-bot" }, secrets: { registryPassword: "registry-token-prod" } },
};

/**
 * Runs the program for `stack` in a fresh module registry, so one test file
 * can run it twice (before and after a config change). `change` maps the
 * stack's `goapi:app` setting to a changed one.
 */
export async function declare(stack: string, change?: (app: Record<string, unknown>) => Record<string, unknown>): Promise<StackRun> {
  const user = added[stack];
  if (!user) {
    throw new Error(`no user config for stack ${stack} in test/cluster/declared.ts`);
  }
  let run: StackRun | undefined;
  await jest.isolateModulesAsync(async () => {
    const { cliConfig, runStack } = await import("../helpers/stack");
    const config = cliConfig(stack).config;
    // Each stack in a namespace of its own, so that the three share one cluster at once.
    const set: Record<string, unknown> = { ...user.set, namespace: `${config["goapi:namespace"] ?? "goapi"}-${stack}` };
    if (change) {
      const app = config["goapi:app"];
      set.app = change(app === undefined ? {} : (JSON.parse(app) as Record<string, unknown>));
    }
    run = await runStack(stack, set, user.secrets);
  });
  if (!run) {
    throw new Error(`running the ${stack} stack under mocks returned nothing`);
  }
  return run;
}
