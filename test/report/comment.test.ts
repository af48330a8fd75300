// The pull-request comment made from recorded previews: what comes first, what
// never shows, and that it fits GitHub's limit however large the change.
import { sizeOf } from "../../report/budget";
import { commentLimit, commentMarker, renderComment } from "../../report/comment";
import type { PolicyViolation } from "../../report/policy-results";
import { machinePathsIn } from "../../report/scrub";
import type { StackReport } from "../../report/stack-report";
import { cases, recordedImage, recordedTokens, reportOf } from "../helpers/previews";

const detailsUrl = "https://github.com/acme/goapi/actions/runs/42";
const comment = (r: StackReport, limit?: number) => renderComment(r, { detailsUrl, limit });

/** Where each heading starts, to check the order. */
const at = (text: string, needle: string) => {
  const i = text.indexOf(needle);
  if (i < 0) {
    throw new Error(`"${needle}" not in:\n${text}`);
  }
  return i;
};

describe("the pull-request comment", () => {
  it.each(cases)("%s: starts with the stack's marker, states both flags, links the full diff, leaks nothing", (c) => {
    const text = comment(reportOf(c));
    expect(text.split("\n")[0]).toBe(commentMarker("dev"));
    expect(text).toMatch(/\*\*Deletes or replaces something: (yes|no)\*\*/);
    expect(text).toMatch(/\*\*Restarts pods: (yes|no)\*\*/);
    expect(text).toContain(`[job summary](${detailsUrl})`);
    expect(machinePathsIn(text)).toEqual([]);
    for (const token of recordedTokens) {
      expect(text).not.toContain(token);
    }
    expect(text).not.toContain("sourcePosition");
  });

  it("calls out deletes and replacements first, then restarts, policy and the table", () => {
    const text = comment(reportOf("config-change"));
    expect(text).toContain("### Preview of `dev`: 1 to replace, 1 to update, 11 unchanged");
    expect(text).toContain("- **replace** ConfigMap `goapi`: `data.LOG_LEVEL` forces it");
    const order = ["Deletes or replaces something: yes", "Restarts pods: yes", "**Policy**", "| operation | kind | name | changed fields |"].map((h) => at(text, h));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it("puts a delete at the top of the table", () => {
    const text = comment(reportOf("delete"));
    const rows = text.split("\n").filter((l) => /^\| (delete|update|replace|create) /.test(l));
    expect(rows[0]).toBe("| delete | PodDisruptionBudget | `goapi` |  |");
  });

  it("shows the image digest old -> new", () => {
    expect(comment(reportOf("image-change"))).toContain(
      `- Deployment \`goapi\`, container \`api\`: \`${recordedImage("1.0.0")}\` → \`${recordedImage("1.1.0")}\``,
    );
  });

  it("says no when nothing is deleted and no pod restarts", () => {
    const text = comment(reportOf("update"));
    expect(text).toContain("**Deletes or replaces something: no**");
    expect(text).toContain("**Restarts pods: no**");
    expect(text).toContain("**Policy** `goapi` 0.1.0: 12 rules, all pass");
  });

  it("lists policy findings, mandatory first, and says they fail the preview", () => {
    const text = comment(reportOf("policy-violation"));
    expect(text).toContain("**Policy** `goapi` 0.1.0: 12 rules, 3 mandatory violations (these fail preview and up), 1 advisory finding");
    expect(text).toContain("| mandatory | `no-loadbalancer-service` | Service `goapi` | spec.type is LoadBalancer: expose the API through the Ingress and keep the Service ClusterIP |");
    expect(at(text, "| mandatory | `hpa-owns-replicas`")).toBeLessThan(at(text, "| advisory | `probes-configured`"));
    expect(text).toContain("(failed)");
  });

  it("shows a failed preview's error", () => {
    const text = comment(reportOf("error"));
    expect(text).toContain("### Preview of `dev`: no changes, 1 unchanged (failed)");
    expect(text).toContain("goapi:autoscaling.maxReplica: is not a setting of this program (a typo?)");
    // The rules ran on nothing the program declared: "all pass" would claim too much.
    expect(text).toContain("**Policy** `goapi` 0.1.0: 12 rules, no findings on what the program declared before it failed");
    expect(text).not.toContain("all pass");
  });

  it("scrubs local paths from policy messages and cuts a long one", () => {
    const r = reportOf("policy-violation");
    const finding = (message: string): PolicyViolation => ({ policy: "custom", pack: "goapi", mandatory: true, urn: "", message });
    const policy = { packs: { goapi: "0.1.0" }, rules: ["custom"], mandatory: [finding("read /home/runner/work/goapi/goapi/components/pod.ts and /tmp/pulumi-42/x.json"), finding("y".repeat(700))], advisory: [] };
    const text = renderComment({ ...r, policy }, { detailsUrl, scrub: { root: "/home/runner/work/goapi/goapi" } });
    expect(text).toContain("| mandatory | `custom` | the stack | read ./components/pod.ts and \\<path\\> |");
    expect(text).toContain(`| mandatory | \`custom\` | the stack | ${"y".repeat(599)}… |`);
    expect(machinePathsIn(text)).toEqual([]);
  });

  it("says when the output carries no policy results (the digest form)", () => {
    expect(comment(reportOf("config-change", "digest"))).toContain("**Policy:** not reported");
  });
});

/**
 * A change too large for one comment, built from the recorded config change
 * (not recorded as such: no test program is that large): its steps repeated
 * under 4,000 resource names, and 2,000 policy findings.
 */
function huge(namePrefix = ""): StackReport {
  const r = reportOf("config-change");
  const copies = 4_000;
  const rename = <T extends { name: string; urn: string }>(x: T, i: number): T => ({ ...x, name: `${namePrefix}${x.name}-${i}`, urn: `${x.urn}-${i}` });
  const changes = Array.from({ length: copies }, (_, i) => r.changes.map((c) => rename(c, i))).flat();
  const finding = (i: number): PolicyViolation => ({
    policy: "recommended-labels",
    pack: "goapi",
    mandatory: i % 10 === 0,
    urn: `urn:pulumi:dev::goapi::kubernetes:core/v1:ConfigMap::cm-${i}`,
    message: "metadata.labels lack app.kubernetes.io/instance, app.kubernetes.io/managed-by",
  });
  const violations = Array.from({ length: 2_000 }, (_, i) => finding(i));
  return {
    ...r,
    counts: { ...r.counts, replace: copies, update: copies },
    changes,
    destructive: changes.filter((c) => c.op === "replace"),
    restarts: Array.from({ length: copies }, (_, i) => r.restarts.map((x) => ({ ...x, change: rename(x.change, i) }))).flat(),
    policy: { packs: { goapi: "0.1.0" }, rules: r.policy?.rules ?? [], mandatory: violations.filter((v) => v.mandatory), advisory: violations.filter((v) => !v.mandatory) },
  };
}

describe("a change too large for one comment", () => {
  const r = huge();
  const text = comment(r);

  it("stays under GitHub's 65,536-character limit, in bytes", () => {
    expect(sizeOf(text)).toBeLessThanOrEqual(commentLimit);
    expect(text.length).toBeGreaterThan(commentLimit * 0.9);
  });

  it("says what it left out and where the full diff is", () => {
    expect(text).toMatch(/\*\*Shortened to fit GitHub's 65,536-character comment limit:\*\* left out \d+ deletes and replacements, \d+ restarts, \d+ policy findings, \d+ table rows, 1 warning\./);
    expect(text).toMatch(/\n- … \d+ deletes and replacements not shown here: see the full diff\n/);
    expect(text.trimEnd().split("\n").at(-1)).toBe(`The full \`pulumi preview --diff\` is in the [job summary](${detailsUrl}).`);
  });

  it("leaves room after a huge list of replacements for the policy findings and the table", () => {
    expect(text).toContain("**Policy** `goapi` 0.1.0: 12 rules, 200 mandatory violations (these fail preview and up), 1800 advisory findings");
    expect(text).toMatch(/\n\| mandatory \| `recommended-labels` \|/);
    expect(text).toMatch(/\n\| replace \| ConfigMap \| `goapi-0` \|/);
  });

  it("keeps the destructive changes first, with the header and both flags", () => {
    expect(text.split("\n").slice(0, 4)).toEqual([commentMarker("dev"), "### Preview of `dev`: 4000 to replace, 4000 to update, 11 unchanged", "", "**Deletes or replaces something: yes**"]);
    expect(text).toContain("- **replace** ConfigMap `goapi-0`");
  });

  it("fits any limit, cutting lists rather than breaking Markdown", () => {
    for (const limit of [4_000, 10_000, 30_000]) {
      const small = comment(r, limit);
      expect(sizeOf(small)).toBeLessThanOrEqual(limit);
      expect(small).toContain("Shortened to fit");
      expect((small.match(/<details>/g) ?? []).length).toBe((small.match(/<\/details>/g) ?? []).length);
    }
  });

  it("counts multi-byte characters by their bytes", () => {
    const wide = comment(huge("設定マップ設定マップ設定マップ"));
    expect(sizeOf(wide)).toBeLessThanOrEqual(commentLimit);
    expect(sizeOf(wide)).toBeGreaterThan(wide.length);
  });

  it("puts what was previewed under the title, without local paths, cut to a few lines' worth", () => {
    const intro = "Commit `abc`, against the state of dev.\nRead from /home/runner/work/goapi/goapi/Pulumi.dev.yaml.\n";
    const lines = renderComment(reportOf("update"), { intro, scrub: { root: "/home/runner/work/goapi/goapi" } }).split("\n");
    expect(lines.slice(1, 5)).toEqual(["### Preview of `dev`: 1 to update, 12 unchanged", "", "Commit `abc`, against the state of dev.", "Read from ./Pulumi.dev.yaml."]);
    const long = renderComment(reportOf("update"), { intro: "x".repeat(10_000) });
    expect(long).toContain(`${"x".repeat(1_999)}…`);
    expect(long).not.toContain("x".repeat(2_000));
  });
});
