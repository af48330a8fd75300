import { messageLines, podFailure } from "../../rollout/pod-failure";
import { podsOf } from "./fixtures";

const first = (c: Parameters<typeof podsOf>[0]) => {
  const p = podsOf(c)[0];
  if (p === undefined) {
    throw new Error(`no pod in ${c}`);
  }
  return p;
};

describe("podFailure", () => {
  it("a crash loop: the waiting reason, how the last run ended with its termination message, and that run's logs", () => {
    const f = podFailure(first("crashloop"));
    expect(f?.restarts).toBe(1);
    expect(f?.reasons).toEqual([
      expect.stringMatching(/^container api: waiting: CrashLoopBackOff: back-off 10s restarting failed container=api .*; its last run ended: Error, exit code 1; its message:\n\{"level":"INFO","msg":"config",.*\}\n\{"level":"ERROR","msg":"this release exits at start"\}$/),
    ]);
    expect(f?.logs).toEqual([{ container: "api", previous: true }]);
  });

  it("an image that cannot be pulled: the registry's answer, and no logs to read", () => {
    const f = podFailure(first("imagepull"));
    expect(f?.reasons).toEqual([expect.stringMatching(/^container \S+: waiting: (ErrImagePull|ImagePullBackOff): .*code = NotFound/)]);
    expect(f?.logs).toEqual([]);
    expect(f?.phase).toBe("Pending");
  });

  it("a readiness probe that never passes: running, not ready, with the current logs", () => {
    const f = podFailure(first("unready"));
    expect(f?.reasons).toEqual(["container api: running, not ready"]);
    expect(f?.logs).toEqual([{ container: "api", previous: false }]);
  });

  it("a failed migration Job pod: the exit code and its termination message", () => {
    const f = podFailure(first("migration-failed"));
    expect(f?.phase).toBe("Failed");
    expect(f?.reasons).toEqual([expect.stringMatching(/^container migrate: terminated: Error, exit code 1; its message:\n\{.*"msg":"migration failed".*division by zero.*\}$/)]);
    expect(f?.logs).toEqual([{ container: "migrate", previous: false }]);
  });

  it(`keeps the last ${String(messageLines)} lines of a termination message`, () => {
    const p = structuredClone(first("migration-failed"));
    const status = p.status?.containerStatuses?.[0]?.state?.terminated;
    if (status === undefined) {
      throw new Error("fixture without a terminated container");
    }
    status.message = Array.from({ length: 9 }, (_, i) => `m${String(i)}`).join("\n") + "\n";
    expect(podFailure(p)?.reasons).toEqual(["container migrate: terminated: Error, exit code 1; its message:\nm4\nm5\nm6\nm7\nm8"]);
  });

  it("nothing for a ready pod, a succeeded one, or a container that ended well", () => {
    const ready = structuredClone(first("unready"));
    const status = ready.status?.containerStatuses?.[0];
    if (status === undefined) {
      throw new Error("fixture without a container status");
    }
    status.ready = true;
    expect(podFailure(ready)).toBeUndefined();
    const done = structuredClone(first("migration-failed"));
    done.status = { phase: "Succeeded", containerStatuses: [{ name: "migrate", ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } }] };
    expect(podFailure(done)).toBeUndefined();
    done.status.phase = "Running";
    expect(podFailure(done)).toBeUndefined();
  });

  it("a pod the scheduler cannot place, an evicted pod, and a pending pod without statuses", () => {
    const p = structuredClone(first("unready"));
    p.status = { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/1 nodes are available: 1 Insufficient memory." }] };
    expect(podFailure(p)?.reasons).toEqual(["not scheduled: Unschedulable: 0/1 nodes are available: 1 Insufficient memory."]);
    p.status = { phase: "Failed", reason: "Evicted", message: "The node was low on resource: memory." };
    expect(podFailure(p)?.reasons).toEqual(["pod Evicted: The node was low on resource: memory."]);
    p.status = { phase: "Pending" };
    expect(podFailure(p)?.reasons).toEqual(["pod Pending"]);
  });

  it("an init container that failed, and one still waiting to start that has no logs", () => {
    const p = structuredClone(first("unready"));
    p.status = {
      phase: "Pending",
      initContainerStatuses: [{ name: "wait", ready: false, restartCount: 2, state: { terminated: { exitCode: 2, reason: "Error", signal: 9 } } }],
      containerStatuses: [{ name: "api", ready: false, restartCount: 0, state: { waiting: { reason: "PodInitializing" } } }],
    };
    const f = podFailure(p);
    expect(f?.reasons).toEqual(["init container wait: terminated: Error, exit code 2, signal 9", "container api: waiting: PodInitializing"]);
    expect(f?.logs).toEqual([{ container: "wait", previous: false }]);
    expect(f?.restarts).toBe(2);
  });
});
