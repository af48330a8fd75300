// npm run report: arguments, files in and out, and refusals.
import { CliIo, run, UsageError } from "../../report/cli";
import { commentMarker } from "../../report/comment";
import { fixtureText } from "../helpers/previews";

function memoryIo(files: Record<string, string>) {
  const written: Record<string, string> = {};
  let stdout = "";
  const io: CliIo = {
    readFile: (p) => {
      const text = files[p];
      if (text === undefined) {
        throw new Error("ENOENT");
      }
      return text;
    },
    writeFile: (p, t) => {
      written[p] = t;
    },
    appendFile: (p, t) => {
      written[p] = (written[p] ?? files[p] ?? "") + t;
    },
    stdout: (t) => {
      stdout += t;
    },
  };
  return { io, written, stdout: () => stdout };
}

const inputs = {
  "events.jsonl": fixtureText("image-change", "events.jsonl"),
  "diff.txt": fixtureText("image-change", "diff.txt"),
  "intro.md": "Commit `abc`, against the state of dev.\n",
  summary: "# earlier step\n",
};

describe("npm run report", () => {
  it("writes the comment and appends the job summary", () => {
    const m = memoryIo(inputs);
    run(["--stack", "dev", "--json", "events.jsonl", "--diff", "diff.txt", "--intro", "intro.md", "--comment-out", "comment.md", "--summary-out", "summary", "--details-url", "https://github.com/acme/goapi/actions/runs/7"], m.io);
    expect(m.written["comment.md"]?.split("\n").slice(0, 4)).toEqual([commentMarker("dev"), "### Preview of `dev`: 1 to update, 12 unchanged", "", "Commit `abc`, against the state of dev."]);
    expect(m.written.summary).toContain("Commit `abc`, against the state of dev.");
    expect(m.written.summary?.startsWith("# earlier step\n")).toBe(true);
    expect(m.written.summary).toContain("Previewing update (dev)");
    expect(m.stdout()).toBe("");
  });

  it("--release: the last canary release the deploy followed, under the intro, in the comment and the summary", () => {
    const release = {
      readAt: "2026-12-06T02:00:00.000Z",
      canaries: [{ namespace: "goapi", name: "goapi", phase: "Failed", failedChecks: 0, canaryWeight: 0, lastTransitionTime: "2026-12-06T01:58:00Z", message: "Canary analysis failed, Deployment scaled to zero." }],
    };
    const m = memoryIo({ ...inputs, "release.json": JSON.stringify(release) });
    run(["--stack", "prod", "--json", "events.jsonl", "--intro", "intro.md", "--release", "release.json", "--comment-out", "comment.md", "--summary-out", "summary"], m.io);
    const lines = [
      "Commit `abc`, against the state of dev.",
      "",
      "The last release, as the deploy read it at 2026-12-06T02:00:00.000Z:",
      "- canary `goapi/goapi`: **rolled back**: the primary runs the previous version since 2026-12-06T01:58:00Z (Flagger: Canary analysis failed, Deployment scaled to zero.)",
    ];
    expect(m.written["comment.md"]?.split("\n").slice(3, 7)).toEqual(lines);
    expect(m.written.summary).toContain(lines[3]);
    // Alone, without --intro.
    const alone = memoryIo({ ...inputs, "release.json": JSON.stringify(release) });
    run(["--stack", "prod", "--json", "events.jsonl", "--release", "release.json"], alone.io);
    expect(alone.stdout().split("\n").slice(3, 5)).toEqual(lines.slice(2));
  });

  it("--release that is missing or no release record: an error naming the file, no comment", () => {
    for (const [files, message] of [
      [{}, /release\.json: cannot read release record release\.json/],
      [{ "release.json": "{" }, /release\.json: the release record is not JSON/],
      [{ "release.json": JSON.stringify({ readAt: "x", canaries: [{ name: "goapi" }] }) }, /release\.json: not a release record/],
    ] as const) {
      const m = memoryIo({ ...inputs, ...files });
      expect(() => {
        run(["--stack", "prod", "--json", "events.jsonl", "--release", "release.json", "--comment-out", "comment.md"], m.io);
      }).toThrow(message);
      expect(m.written["comment.md"]).toBeUndefined();
    }
  });

  it("prints the comment when no file is named", () => {
    const m = memoryIo(inputs);
    run(["--stack", "dev", "--json", "events.jsonl"], m.io);
    expect(m.stdout()).toContain("### Preview of `dev`: 1 to update, 12 unchanged");
  });

  it.each([[["--help"]], [["-h"]], [["--stack", "dev", "--help"]]])("answers %j with its usage and what each option does, and writes nothing", (argv) => {
    const m = memoryIo(inputs);
    run(argv, m.io);
    expect(m.stdout()).toMatch(/^usage: npm run report -- --stack <stack> --json <preview\.json>/);
    for (const option of ["--stack", "--json", "--diff", "--intro", "--details-url", "--comment-out", "--summary-out", "--root", "--release", "--help"]) {
      expect(m.stdout()).toMatch(new RegExp(`^  ${option}[ ,]`, "m"));
    }
    expect(m.written).toEqual({});
  });

  it.each([
    ["no stack", ["--json", "events.jsonl"], "--stack and --json are required"],
    ["an unknown option", ["--stack", "dev", "--json", "events.jsonl", "--policy", "x"], "Unknown option '--policy'"],
    ["a details URL that is not https", ["--stack", "dev", "--json", "events.jsonl", "--details-url", "javascript:alert(1)"], "--details-url must be an https URL"],
  ])("refuses %s with the usage", (_, argv, message) => {
    expect(() => { run(argv, memoryIo(inputs).io); }).toThrow(UsageError);
    expect(() => { run(argv, memoryIo(inputs).io); }).toThrow(message);
  });

  it.each([
    ["a missing file", { }, "cannot read preview events.jsonl"],
    ["an empty file (the preview failed to start)", { "events.jsonl": "" }, "pulumi preview --json printed nothing"],
    ["text that is not JSON", { "events.jsonl": "Previewing update (dev):\n" }, "events.jsonl: not JSON"],
    ["a JSON line that is not an engine event", { "events.jsonl": '{"sequence":1,"resourcePreEvent":{"metadata":{"op":3}}}\n' }, "line 1 is not an engine event"],
  ])("says what is wrong with %s", (_, files, message) => {
    expect(() => { run(["--stack", "dev", "--json", "events.jsonl"], memoryIo(files).io); }).toThrow(message);
  });

  it("scrubs local paths from messages", () => {
    const leaky = fixtureText("error", "events.jsonl").replace("is not a setting of this program", "is not a setting of /home/ann/goapi");
    const m = memoryIo({ "events.jsonl": leaky });
    run(["--stack", "dev", "--json", "events.jsonl"], m.io);
    expect(m.stdout()).toContain("is not a setting of <path>");
  });

  it("refuses to publish a comment that would still hold a local path", () => {
    const named = JSON.stringify({ steps: [{ op: "create", urn: "urn:pulumi:dev::goapi::kubernetes:core/v1:ConfigMap::/home/ann/cm" }], changeSummary: { create: 1 } });
    expect(() => { run(["--stack", "dev", "--json", "preview.json"], memoryIo({ "preview.json": named }).io); }).toThrow("refusing to publish local paths: /home/ann/cm");
  });
});
