// What the README tells a user to add to a committed stack file before the
// first `pulumi up`, unless their file already has it.
import { cliConfig, stackFilePath } from "../../scripts/stack-config";
import { cachedForRun } from "./run-cache";
import { committed, runStack, StackRun, UserAdditions } from "./stack";

const needsRegistryCredentials = new Set(["dev", "prod"]);
const needsDatabasePassword = new Set(["dev", "prod"]);

/** Runs a committed stack file as a user who followed the README would, with `extra` on top. */
export function runAsSetUp(stack: string, extra: UserAdditions = {}): Promise<StackRun> {
  const { config } = cliConfig(stackFilePath(stack));
  const has = (key: string) => (config[`goapi:${key}`] ?? "") !== "";
  const set: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  if (needsRegistryCredentials.has(stack)) {
    if (!has("registryUsername")) {
      set.registryUsername = "deploy-bot";
    }
    if (!has("registryPassword")) {
      secrets.registryPassword = `registry-token-for-${stack}`;
    }
  }
  if (needsDatabasePassword.has(stack) && !has("databasePassword")) {
    secrets.databasePassword = `database-password-for-${stack}`;
  }
  const run = () => runStack(committed(stack), { set: { ...set, ...extra.set }, secrets: { ...secrets, ...extra.secrets } });
  // Only the plain set-up is shared: with extras, a file runs its own.
  const plain = extra.set === undefined && extra.secrets === undefined;
  return plain ? cachedForRun(`stack-as-set-up-${stack}`, run) : run();
}
