// The one place the cluster checks use the unit tests' helpers: run index.ts
// under the same mocks, with a committed stack file plus what the README asks
// a user to add to it (test/helpers/user-setup.ts).
import { cliConfig, stackFilePath } from "../../scripts/stack-config";
import type { StackRun } from "../helpers/stack";
import { runAsSetUp } from "../helpers/user-setup";

/**
 * Runs the program for `stack`, in a namespace of its own (`<namespace>-<stack>`)
 * so that the three stacks share one cluster at once. `change` maps the
 * stack's `goapi:app` setting to a changed one (a config change); `overrides`
 * replaces whole keys (the namespace among them).
 */
export function declare(stack: string, change?: (app: Record<string, unknown>) => Record<string, unknown>, overrides: Record<string, unknown> = {}): Promise<StackRun> {
  const { config } = cliConfig(stackFilePath(stack));
  const set: Record<string, unknown> = { namespace: `${config["goapi:namespace"] ?? "goapi"}-${stack}`, ...overrides };
  if (change) {
    const app = config["goapi:app"];
    set.app = change(app === undefined ? {} : (JSON.parse(app) as Record<string, unknown>));
  }
  return runAsSetUp(stack, { set });
}
