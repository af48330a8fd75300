import * as fs from "node:fs";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { changeReport } from "../../scripts/dev/change-report";
import { Progress } from "../../scripts/dev/progress";
import { fixturePath } from "../helpers/previews";

/** The engine's events as the Automation API's onEvent hands them over (the same JSON as the event log). */
const recorded = (c: "image-change" | "config-change" | "error"): EngineEvent[] =>
  fs
    .readFileSync(fixturePath(c, "events.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as EngineEvent);

const urn = (type: string, name: string) => `urn:pulumi:local::goapi::goapi:index:ApiService$${type}::${name}`;
const deployment = urn("kubernetes:apps/v1:Deployment", "goapi");
const meta = (op: string, u: string, type: string) => ({ op, urn: u, type, provider: "" }) as unknown as NonNullable<EngineEvent["resourcePreEvent"]>["metadata"];
const ev = (e: Partial<EngineEvent>): EngineEvent => ({ sequence: 0, timestamp: 0, ...e });

describe("Progress", () => {
  it("announces a slow change, then says when and how long it took; nothing for unchanged resources", () => {
    let t = 0;
    const p = new Progress(() => t);
    expect(p.line(ev({ resourcePreEvent: { metadata: meta("same", urn("kubernetes:core/v1:Service", "goapi"), "kubernetes:core/v1:Service") } }))).toBeUndefined();
    expect(p.line(ev({ resourcePreEvent: { metadata: meta("update", deployment, "kubernetes:apps/v1:Deployment") } }))).toBe("  … update Deployment goapi");
    t = 12_340;
    expect(p.line(ev({ resOutputsEvent: { metadata: meta("update", deployment, "kubernetes:apps/v1:Deployment") } }))).toBe("  ✓ updated Deployment goapi (12.3 s)");
    const cm = urn("kubernetes:core/v1:ConfigMap", "goapi");
    expect(p.line(ev({ resourcePreEvent: { metadata: meta("create", cm, "kubernetes:core/v1:ConfigMap") } }))).toBeUndefined();
    expect(p.line(ev({ resOutputsEvent: { metadata: meta("create", cm, "kubernetes:core/v1:ConfigMap") } }))).toBe("  ✓ created ConfigMap goapi (0.0 s)");
  });

  it("a replacement: its create and delete, not its logical step; nothing for the stack itself", () => {
    const p = new Progress(() => 0);
    const job = urn("kubernetes:batch/v1:Job", "goapi-migrate");
    const out = (op: string, u = job, type = "kubernetes:batch/v1:Job") => p.line(ev({ resOutputsEvent: { metadata: meta(op, u, type) } }));
    expect(out("create-replacement")).toBe("  ✓ created the replacement of Job goapi-migrate");
    expect(out("replace")).toBeUndefined();
    expect(out("delete-replaced")).toBe("  ✓ deleted the replaced Job goapi-migrate");
    expect(out("update", "urn:pulumi:local::goapi::pulumi:pulumi:Stack::goapi-local", "pulumi:pulumi:Stack")).toBeUndefined();
  });

  it("shows the provider's rollout status once per change, and errors", () => {
    const p = new Progress(() => 0);
    const status = (message: string, severity: "info" | "error" = "info", ephemeral = true) =>
      p.line(ev({ diagnosticEvent: { urn: deployment, message, color: "never", severity, ephemeral } }));
    expect(status("[1/2] Waiting for app ReplicaSet to be available (0/1 Pods available)")).toBe(
      "    Deployment goapi: [1/2] Waiting for app ReplicaSet to be available (0/1 Pods available)",
    );
    expect(status("[1/2] Waiting for app ReplicaSet to be available (0/1 Pods available)")).toBeUndefined();
    expect(status("<{%fg 3%}>[2/2] Waiting for app to become live<{%reset%}>")).toBe("    Deployment goapi: [2/2] Waiting for app to become live");
    expect(status("a log line", "info", false)).toBeUndefined();
    expect(status("timed out waiting for the condition\nmore", "error", false)).toBe("  ✗ Deployment goapi: timed out waiting for the condition");
    expect(p.line(ev({ resOpFailedEvent: { metadata: meta("update", deployment, "kubernetes:apps/v1:Deployment"), status: 0, steps: 1 } }))).toBe(
      "  ✗ update Deployment goapi failed",
    );
  });

  it("reads the real engine's events of an image change without a line per unchanged resource", () => {
    const p = new Progress(() => 0);
    const lines = recorded("image-change").flatMap((e) => p.line(e) ?? []);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(8);
    expect(lines).toContain("  … update Deployment goapi");
  });
});

describe("changeReport", () => {
  it("an image change: the counts, the rolled Deployment and the digest it swaps", () => {
    const lines = changeReport("local", recorded("image-change"));
    expect(lines[0]).toMatch(/^ {2}changes: 1 to update, \d+ unchanged$/);
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}rolls Deployment goapi \(spec\.template\.spec\.containers\[0\]\.image\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}image of Deployment goapi\/api: ghcr\.io\/your-org\/goapi@sha256:[0-9a-f]{12} → ghcr\.io\/your-org\/goapi@sha256:[0-9a-f]{12}$/));
  });

  it("no events: no changes", () => {
    expect(changeReport("local", [])).toEqual(["  changes: no changes"]);
  });
});
