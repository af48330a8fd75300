// scripts/bump-base-images.sh against stub crane/docker that stand in for a
// registry. The digests below are test inputs, not claims about any image: the
// tests check that the script writes what the registry answered, where it belongs.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runWithStubs } from "./helpers/stubs";

const committed = fs.readFileSync(path.join(__dirname, "..", "app", "Dockerfile"), "utf8");
const pinned = [...committed.matchAll(/^FROM .*?@(sha256:[0-9a-f]{64})/gm)].map((m) => m[1] ?? "");
const answer = { go: `sha256:${"1".repeat(64)}`, runtime: `sha256:${"2".repeat(64)}` };

// Each stub answers per image from STUB_GO / STUB_RUNTIME.
const byImage = `case "$ref" in golang:*) echo "$STUB_GO" ;; gcr.io/distroless/*) echo "$STUB_RUNTIME" ;; *) exit 1 ;; esac`;
const crane = `ref=$2; ${byImage}`;
const docker = `[ "$1 $2 $3" = "buildx imagetools inspect" ] || exit 1; ref=$4; ${byImage}`;

function bump(args: string[], stubs: Record<string, string>, answers: { go: string; runtime: string } = answer) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-bump-"));
  const dockerfile = path.join(dir, "Dockerfile");
  fs.writeFileSync(dockerfile, committed);
  const run = runWithStubs({
    script: "scripts/bump-base-images.sh",
    args: [...args, dockerfile],
    stubs,
    tools: ["mv", "dirname"],
    env: { STUB_GO: answers.go, STUB_RUNTIME: answers.runtime },
  });
  const after = fs.readFileSync(dockerfile, "utf8");
  fs.rmSync(dir, { recursive: true });
  return { ...run, after };
}

describe("scripts/bump-base-images.sh", () => {
  it("finds both pins of the committed Dockerfile", () => {
    expect(pinned).toHaveLength(2);
  });

  it("resolves each '# base:' tag and writes the answer into the FROM line below, nothing else", () => {
    const run = bump([], { crane });
    expect(run.code).toBe(0);
    expect(run.calls).toEqual(["crane digest golang:1.26.8-bookworm", "crane digest gcr.io/distroless/static-debian12:nonroot"]);
    expect(run.after).toContain(`FROM --platform=$BUILDPLATFORM golang@${answer.go} AS build\n`);
    expect(run.after).toContain(`FROM gcr.io/distroless/static-debian12@${answer.runtime}\n`);
    expect(run.after.replaceAll(answer.go, pinned[0] ?? "").replaceAll(answer.runtime, pinned[1] ?? "")).toBe(committed);
  });

  it("with --check reports stale pins, exits 1 and changes nothing", () => {
    const run = bump(["--check"], { crane });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`golang:1.26.8-bookworm: ${pinned[0] ?? ""} -> ${answer.go}`);
    expect(run.after).toBe(committed);
  });

  it("with --check exits 0 when the registry answers the pinned digests", () => {
    const run = bump(["--check"], { crane }, { go: pinned[0] ?? "", runtime: pinned[1] ?? "" });
    expect(run.code).toBe(0);
    expect(run.stdout.match(/up to date/g)).toHaveLength(2);
  });

  it("asks docker buildx imagetools when crane is missing", () => {
    const run = bump([], { docker });
    expect(run.code).toBe(0);
    expect(run.calls[0]).toBe("docker buildx imagetools inspect golang:1.26.8-bookworm --format {{.Manifest.Digest}}");
    expect(run.after).toContain(`golang@${answer.go}`);
  });

  it("fails loudly, changing nothing, without a registry client or on an answer that is no digest", () => {
    const none = bump([], {});
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("needs crane or docker");
    expect(none.after).toBe(committed);
    const garbage = bump([], { crane }, { go: "latest", runtime: answer.runtime });
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain("golang:1.26.8-bookworm resolved to 'latest', not a sha256 digest");
    expect(garbage.after).toBe(committed);
  });
});
