// The kubectl calls, against a stub kubectl that logs its arguments and
// answers from the fixtures; and the command line, state on stdin.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../rollout/cli";
import { kubectlCluster } from "../../rollout/kubectl";
import { fixtureDir, podsOf, secrets, stateText } from "./fixtures";

let dir: string;
let stub: string;
let log: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-kubectl-"));
  stub = path.join(dir, "kubectl");
  log = path.join(dir, "calls.log");
  // Answers the failed migration; --kubeconfig files are copied aside to check their mode and contents.
  fs.writeFileSync(
    stub,
    `#!/usr/bin/env bash
printf '%s\\n' "$*" >> ${JSON.stringify(log)}
for a in "$@"; do case $a in --kubeconfig=*) f=\${a#--kubeconfig=}; [ ! -f "$f" ] || { stat -c %a "$f"; cat "$f"; } > ${JSON.stringify(path.join(dir, "kubeconfig-seen"))} ;; esac; done
case " $* " in
  *" get pods "*) cat ${JSON.stringify(path.join(fixtureDir, "migration-failed.pods.json"))} ;;
  *" get events "*) cat ${JSON.stringify(path.join(fixtureDir, "migration-failed.events.json"))} ;;
  *" logs "*) [ ! -e ${JSON.stringify(path.join(dir, "logs-fail"))} ] || { echo 'Error from server (BadRequest): container "migrate" in pod is waiting to start' >&2; exit 1; }
    echo "dsn ${secrets.databaseUrl}" ;;
  *) echo "stub kubectl: unexpected $*" >&2; exit 99 ;;
esac
`,
    { mode: 0o755 },
  );
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});
const calls = () => fs.readFileSync(log, "utf8").trim().split("\n");

describe("kubectlCluster", () => {
  it("reads pods by selector, a pod's events and a bounded log tail, with the provider's context and kubeconfig path", async () => {
    const c = kubectlCluster([stub], { context: "kind-goapi", kubeconfig: "/home/user/.kube/config" });
    expect((await c.pods("goapi", "a=b,c=d")).map((p) => p.metadata.name)).toEqual(podsOf("migration-failed").map((p) => p.metadata.name));
    expect((await c.events("goapi", "p1")).map((e) => e.reason)).toContain("Scheduled");
    expect(await c.logs({ namespace: "goapi", pod: "p1", container: "migrate", previous: true, tailLines: 15 })).toContain("dsn ");
    c.close();
    const g = "--kubeconfig=/home/user/.kube/config --context=kind-goapi";
    expect(calls()).toEqual([
      `${g} get pods --namespace=goapi --selector=a=b,c=d --output=json`,
      `${g} get events --namespace=goapi --field-selector=involvedObject.kind=Pod,involvedObject.name=p1 --output=json`,
      `${g} logs p1 --namespace=goapi --container=migrate --tail=15 --limit-bytes=65536 --previous`,
    ]);
  });

  it("hands a kubeconfig given as contents to kubectl in a file only this user reads, removed by close", async () => {
    const contents = "apiVersion: v1\nkind: Config\n";
    const c = kubectlCluster([stub], { kubeconfig: contents });
    await c.pods("goapi", "a=b");
    const file = /--kubeconfig=(\S+)/.exec(calls()[0] ?? "")?.[1] ?? "";
    expect(fs.readFileSync(path.join(dir, "kubeconfig-seen"), "utf8")).toBe(`600\n${contents}`);
    expect(fs.existsSync(file)).toBe(true);
    c.close();
    expect(fs.existsSync(file)).toBe(false);
    expect(calls()[0]).not.toContain("--context");
  });

  it("a command of its own (kubectl in the kind node) brings its own kubeconfig: no context added", async () => {
    const c = kubectlCluster([stub, "--kubeconfig=/etc/kubernetes/admin.conf"], { context: "kind-goapi" });
    await c.pods("goapi", "a=b");
    expect(calls()).toEqual(["--kubeconfig=/etc/kubernetes/admin.conf get pods --namespace=goapi --selector=a=b --output=json"]);
  });

  it("reports kubectl's own error line", async () => {
    fs.writeFileSync(path.join(dir, "logs-fail"), "");
    const c = kubectlCluster([stub], {});
    await expect(c.logs({ namespace: "goapi", pod: "p1", container: "migrate", previous: false, tailLines: 5 })).rejects.toThrow(
      'kubectl logs p1 failed: Error from server (BadRequest): container "migrate" in pod is waiting to start',
    );
  });
});

describe("rollout/cli.ts", () => {
  it("explains from the state on stdin, secrets redacted", async () => {
    const out: string[] = [];
    expect(await main(["--", stub], stateText, (l) => out.push(l))).toBe(0);
    const text = out.join("\n");
    // The stub answers every selector with the migration's three pods.
    expect(text).toContain("Job goapi/goapi-migrate-4e1b2c3d: 3 of 3 pods failing");
    expect(text).toContain("dsn [redacted]");
    expect(text).not.toContain(secrets.password);
  });

  it("says why it cannot tell when the state is not an export, and refuses bad usage", async () => {
    const out: string[] = [];
    expect(await main([], "error: no stack named local", (l) => out.push(l))).toBe(1);
    expect(out).toEqual(["Why the rollout failed: cannot tell: the stack's state is not JSON (is this the output of pulumi stack export?)"]);
    expect(await main(["--verbose"], stateText, (l) => out.push(l))).toBe(2);
    expect(await main(["--"], stateText, (l) => out.push(l))).toBe(2);
  });
});
