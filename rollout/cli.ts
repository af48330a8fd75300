// pulumi stack export --show-secrets | ts-node rollout/cli.ts [-- <kubectl command>]
// Prints why the stack's rollout failed: each failing pod of its Deployments,
// StatefulSets and Jobs, with its reason, last events and last log lines,
// secrets redacted. kubectl reaches the cluster through the context and
// kubeconfig of the stack's Kubernetes provider, unless a command is given
// (local:up gives the kubectl inside the kind node). The state arrives on
// stdin, never in a file or an argument, since it holds the secrets to redact.
import * as fs from "node:fs";
import { explainRollout } from "./explain";
import { kubectlCluster } from "./kubectl";
import { readStackState } from "./stack-state";

export async function main(argv: string[], stdin: string, out: (line: string) => void): Promise<number> {
  const dashes = argv.indexOf("--");
  const command = dashes === -1 ? ["kubectl"] : argv.slice(dashes + 1);
  const rest = dashes === -1 ? argv : argv.slice(0, dashes);
  if (rest.length > 0 || command.length === 0) {
    out("usage: pulumi stack export --show-secrets | ts-node rollout/cli.ts [-- <kubectl command>]");
    return 2;
  }
  let state;
  try {
    state = readStackState(stdin);
  } catch (e) {
    out(`Why the rollout failed: cannot tell: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const cluster = kubectlCluster(command, state.cluster);
  try {
    (await explainRollout(state, cluster)).forEach(out);
  } finally {
    cluster.close();
  }
  return 0;
}

if (require.main === module) {
  void main(process.argv.slice(2), fs.readFileSync(0, "utf8"), (line) => process.stdout.write(`${line}\n`)).then((code) => {
    process.exitCode = code;
  });
}
