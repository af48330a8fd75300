// The recorded previews themselves: scrubbed of local paths, secrets kept
// secret by the engine, and the two forms of --json telling the same story.
import { machinePathsIn } from "../../report/scrub";
import { cases, files, fixtureText, outputOf, recordedTokens, reportOf } from "../helpers/previews";

const everyFile = cases.flatMap((c) => files.map((f) => [c, f] as const));

describe("the recorded previews", () => {
  it.each(everyFile)("%s/%s holds no local path", (c, f) => {
    const text = fixtureText(c, f);
    expect(machinePathsIn(text)).toEqual([]);
    expect(text).not.toMatch(/\/work\/|\/tmp\/|\/root\b|\.\.\/\.\.\//);
  });

  it.each(everyFile)("%s/%s holds no secret value", (c, f) => {
    const text = fixtureText(c, f);
    for (const token of recordedTokens) {
      expect(text).not.toContain(token);
    }
  });

  it("show the changed token only as [secret]", () => {
    const secret = outputOf("secret-change", "digest").preview.steps?.find((s) => s.urn.endsWith("kubernetes:core/v1:Secret::goapi"));
    // The provider turns stringData into data and keeps it secret.
    expect(secret?.newState?.inputs?.data).toBe("[secret]");
    expect(fixtureText("secret-change", "diff.txt")).toContain("~ API_TOKEN: [secret] => [secret]");
  });

  it.each(cases)("%s: the digest and the event stream give the same changes, counts and errors", (c) => {
    const digest = reportOf(c, "digest");
    const events = reportOf(c, "events");
    const essence = (r: typeof digest) => ({
      counts: r.counts,
      changes: r.changes.map(({ op, urn, fields, replaceFields }) => ({ op, urn, fields, replaceFields })),
      errors: r.errors.map((e) => e.message),
      images: r.images.map((i) => [i.change.urn, i.container, i.from, i.to]),
      restarts: r.restarts.map((x) => [x.change.urn, x.why, x.fields]),
    });
    expect(essence(events)).toEqual(essence(digest));
  });

  it("carry policy results only in the event stream", () => {
    expect(outputOf("policy-violation", "digest").policy).toBeUndefined();
    expect(outputOf("policy-violation", "events").policy?.violations.length).toBeGreaterThan(0);
  });
});
