import { defaultLimits, explainRollout } from "../../rollout/explain";
import { redacted } from "../../rollout/redact";
import { readStackState } from "../../rollout/stack-state";
import { eventsByPod, fakeCluster, logsOf, podsOf, secrets, stateText } from "./fixtures";

const state = readStackState(stateText);
const [db, job, deployment] = state.workloads;
if (db === undefined || job === undefined || deployment === undefined) {
  throw new Error("the state fixture declares a StatefulSet, a Job and a Deployment");
}
const crash = podsOf("crashloop");
const crashPod = crash[0]?.metadata.name ?? "";
// The newest of the migration's pods, the first the explanation shows.
const migrationPod = [...podsOf("migration-failed")].sort((a, b) => (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? ""))[0]?.metadata.name ?? "";

describe("explainRollout, on pods recorded on real nodes", () => {
  it("a crash-looping Deployment: the pod's reason, its termination message, its last events and the last lines of the run that ended, secrets redacted", async () => {
    const cluster = fakeCluster({ pods: { [deployment.selector]: crash }, events: eventsByPod("crashloop"), logs: logsOf("crashloop") });
    const text = (await explainRollout(state, cluster)).join("\n");
    expect(text).toContain("Why the rollout failed:\nDeployment goapi/goapi-6d9f7c9b: 1 of 1 pods failing\n");
    expect(text).toContain(`  pod ${crashPod} (Running, 1 restart)\n    container api: waiting: CrashLoopBackOff: back-off 10s restarting failed container=api`);
    expect(text).toContain(`; its last run ended: Error, exit code 1; its message:\n      {"level":"INFO","msg":"config","database":"${redacted}","token":"${redacted}"}\n      {"level":"ERROR","msg":"this release exits at start"}\n`);
    expect(text).toContain(`    last events:\n      Normal Scheduled:`);
    expect(text).toContain(`      Warning BackOff: Back-off restarting failed container api in pod ${crashPod}`);
    expect(text).toContain("(x3)");
    expect(text).toContain(`    last log lines of api (the run that ended):\n      {"level":"INFO","msg":"config","database":"${redacted}","token":"${redacted}"}\n      {"level":"ERROR","msg":"this release exits at start"}`);
    // The real termination message and log held them; the explanation does not.
    expect(JSON.stringify(crash) + JSON.stringify(logsOf("crashloop"))).toContain(secrets.token);
    for (const s of [secrets.databaseUrl, secrets.password, secrets.token]) {
      expect(text).not.toContain(s);
    }
    expect(cluster.logRequests).toEqual([{ namespace: "goapi", pod: crashPod, container: "api", previous: true, tailLines: defaultLimits.logLines }]);
  });

  it("an image that cannot be pulled: the registry's answer, the pull events, and no logs to read", async () => {
    const pods = podsOf("imagepull");
    const cluster = fakeCluster({ pods: { [job.selector]: pods }, events: eventsByPod("imagepull"), logs: logsOf("imagepull") });
    const text = (await explainRollout(state, cluster)).join("\n");
    expect(text).toMatch(/Job goapi\/goapi-migrate-4e1b2c3d: 1 of 1 pods failing\n {2}pod \S+ \(Pending, 0 restarts\)\n {4}container migrate: waiting: (ErrImagePull|ImagePullBackOff): .*code = NotFound/);
    expect(text).toMatch(/\n {6}Warning Failed: Failed to pull image "[^"]+": rpc error: code = NotFound/);
    expect(text).toMatch(/\n {6}Warning Failed: Error: (ErrImagePull|ImagePullBackOff)/);
    expect(text).not.toContain("last log lines");
    expect(cluster.logRequests).toEqual([]);
  });

  it("a readiness probe that never passes: Unhealthy events and the current logs", async () => {
    const pod = podsOf("unready")[0]?.metadata.name ?? "";
    const cluster = fakeCluster({ pods: { [deployment.selector]: podsOf("unready") }, events: eventsByPod("unready"), logs: logsOf("unready") });
    const text = (await explainRollout(state, cluster)).join("\n");
    expect(text).toContain(`  pod ${pod} (Running, 0 restarts)\n    container api: running, not ready\n`);
    expect(text).toContain("      Warning Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503");
    expect(text).toMatch(/last log lines of api:\n {6}\{.*"msg":"database unavailable: readiness fails".*needs 1048576: run the migrate subcommand"\}/);
  });

  it("a failed migration Job: two of its three pods, each with the termination message and the log line", async () => {
    const cluster = fakeCluster({ pods: { [job.selector]: podsOf("migration-failed") }, events: eventsByPod("migration-failed"), logs: logsOf("migration-failed") });
    const text = (await explainRollout(state, cluster)).join("\n");
    expect(text).toContain("Job goapi/goapi-migrate-4e1b2c3d: 3 of 3 pods failing");
    expect(text.match(/ {4}container migrate: terminated: Error, exit code 1; its message:\n {6}\{.*"msg":"migration failed","error":"migration 0002_fails: ERROR: division by zero \(SQLSTATE 22012\)"\}/g)).toHaveLength(2);
    expect(text.match(/ {4}last log lines of migrate:\n {6}\{.*"msg":"migration failed"/g)).toHaveLength(2);
    expect(text).toContain("  … and 1 more failing pods");
  });

  it("redacts the secrets a log echoes, and the password of any URL", async () => {
    const cluster = fakeCluster({
      pods: { [job.selector]: podsOf("migration-failed") },
      logs: { [`${migrationPod}/migrate`]: `connecting to ${secrets.databaseUrl}\nAuthorization: Bearer ${secrets.token}\nretrying postgres://other:hunter2pw@db/x` },
    });
    const text = (await explainRollout(state, cluster)).join("\n");
    for (const s of [secrets.databaseUrl, secrets.password, secrets.token, "hunter2pw"]) {
      expect(text).not.toContain(s);
    }
    expect(text).toContain(`Bearer ${redacted}`);
    expect(text).toContain(`postgres://other:${redacted}@db/x`);
  });

  it("bounds each part: pods per workload, events, log lines, line length and the whole text", async () => {
    const many = Array.from({ length: 5 }, (_, i) => {
      const p = structuredClone(crash[0]);
      if (p === undefined) {
        throw new Error("no pod");
      }
      p.metadata.name = `pod-${String(i)}`;
      p.metadata.creationTimestamp = `2026-12-05T10:0${String(i)}:00Z`;
      return p;
    });
    const events = Array.from({ length: 9 }, (_, i) => ({ type: "Warning", reason: `R${String(i)}`, message: "m", lastTimestamp: `2026-12-05T10:00:0${String(i)}Z` }));
    const log = Array.from({ length: 40 }, (_, i) => `line ${String(i)} ${"x".repeat(i === 39 ? 500 : 1)}`).join("\n");
    const cluster = fakeCluster({
      pods: { [deployment.selector]: many },
      events: Object.fromEntries(many.map((p) => [p.metadata.name, events])),
      logs: Object.fromEntries(many.map((p) => [`${p.metadata.name}/api/previous`, log])),
    });
    const lines = await explainRollout(state, cluster);
    const text = lines.join("\n");
    expect(text).toContain("5 of 5 pods failing");
    expect(text).toContain("pod pod-4 ");
    expect(text).toContain("pod pod-3 ");
    expect(text).not.toContain("pod pod-2 ");
    expect(text).toContain("… and 3 more failing pods");
    expect(text).toContain(`last events (5 of 9):`);
    expect(text).not.toContain("R3:");
    expect(text).toContain("R4:");
    expect(text).not.toContain("line 24 ");
    expect(text).toContain("line 25 ");
    expect(Math.max(...lines.map((l) => l.length))).toBe(defaultLimits.lineChars);
    const cut = await explainRollout(state, cluster, { ...defaultLimits, totalLines: 10 });
    expect(cut).toHaveLength(10);
    expect(cut[9]).toBe("… cut at 10 lines");
  });

  it("says what it could not read, and goes on", async () => {
    const cluster = fakeCluster({ pods: { [deployment.selector]: crash }, fail: { events: `forbidden: ${secrets.token}`, logs: "timed out" } });
    const text = (await explainRollout(state, cluster)).join("\n");
    expect(text).toContain(`(events not readable: forbidden: ${redacted})`);
    expect(text).toContain("(logs of api not readable: timed out)");
    const down = (await explainRollout(state, fakeCluster({ pods: {}, fail: { pods: "connection refused" } }))).join("\n");
    expect(down).toContain("Deployment goapi/goapi-6d9f7c9b: pods not readable: connection refused");
  });

  it("leaves out the pods being deleted: the previous update's, leaving, hold no rollout back", async () => {
    const leaving = podsOf("unready").map((p) => ({ ...p, metadata: { ...p.metadata, name: `${p.metadata.name}-old`, deletionTimestamp: "2026-12-05T10:00:00Z" } }));
    const crashing = podsOf("crashloop");
    const cluster = fakeCluster({ pods: { [deployment.selector]: [...leaving, ...crashing] }, events: eventsByPod("crashloop"), logs: logsOf("crashloop") });
    const text = (await explainRollout(state, cluster)).join("\n");
    expect(text).toContain(`Deployment goapi/goapi-6d9f7c9b: ${String(crashing.length)} of ${String(crashing.length)} pods failing\n  pod ${crashPod} `);
    expect(text).not.toContain("-old");
    expect(await explainRollout(state, fakeCluster({ pods: { [deployment.selector]: leaving } }))).toEqual([
      "Why the rollout failed: no failing pods in StatefulSet goapi-db, Job goapi-migrate-4e1b2c3d, Deployment goapi-6d9f7c9b (the error above is all there is).",
    ]);
  });

  it("says so when no pod is failing, or the state holds no workload yet", async () => {
    expect(await explainRollout(state, fakeCluster({ pods: {} }))).toEqual([
      "Why the rollout failed: no failing pods in StatefulSet goapi-db, Job goapi-migrate-4e1b2c3d, Deployment goapi-6d9f7c9b (the error above is all there is).",
    ]);
    expect((await explainRollout({ workloads: [], canaries: [], cluster: {}, secrets: [] }, fakeCluster({ pods: {} })))[0]).toMatch(/holds no Deployment, StatefulSet or Job yet/);
  });
});
