// npm run local:dev: the inner loop on top of the local stack. Watches app/
// and the Pulumi program; on each save checks that the Go code compiles, then
// updates the stack local (the image rebuilt with the registry cache, the
// pods rolled), printing one line per step, the change report, the rollout's
// progress, and why a rollout failed. Ctrl-C leaves the stack as last deployed.
import * as path from "node:path";
import { goBuild } from "./go-check";
import { DevLoop } from "./loop";
import { localStack, NoLocalStack } from "./stack";
import { watchSources } from "./watcher";

const repo = path.join(__dirname, "..", "..");

async function main(): Promise<number> {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  let stack;
  try {
    stack = await localStack(repo);
  } catch (e) {
    if (e instanceof NoLocalStack) {
      process.stderr.write(`local:dev stopped: ${e.message}. Next: npm run local:up, then npm run local:dev\n`);
      return 1;
    }
    throw e;
  }
  const loop = new DevLoop({ stack, goBuild: (signal) => goBuild(path.join(repo, "app"), signal), print });
  const watcher = watchSources(repo, (c) => {
    loop.changed(c);
  });
  print("local:dev: watching app/ and the Pulumi program; save a file to update the stack local (Ctrl-C to stop)");
  await new Promise<void>((resolve) => {
    process.on("SIGINT", () => {
      watcher.close();
      void loop.stop().then(resolve);
    });
  });
  print("local:dev: stopped; the stack local is as last deployed");
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`local:dev stopped: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
