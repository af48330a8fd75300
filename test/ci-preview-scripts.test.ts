// What pull-request previews get to see, and how they get it: the redacted
// state, the stack file's secrets, the image, the comment.
import * as fs from "node:fs";
import * as path from "node:path";
import { callsTo, exportedState, sandbox, type CiRun, type Sandbox } from "./helpers/ci-scripts";
import { fixturePath } from "./helpers/previews";

const realToken = "tok-0123456789abcdef-real";
const zeros = "0".repeat(64);

/** Every file below dir, with its content. */
function filesBelow(dir: string): [string, string][] {
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).flatMap((f) => {
    const file = path.join(dir, f);
    return fs.statSync(file).isFile() ? [[file, fs.readFileSync(file, "utf8")] as [string, string]] : [];
  });
}

describe("state.mjs", () => {
  const box = sandbox();

  it("redact: replaces every secret by a placeholder of the same shape and drops the secrets provider", () => {
    const out = box.nodeRun(["scripts/ci/state.mjs", "redact"], exportedState({ secret: realToken }));
    expect(out.status).toBe(0);
    expect(out.stdout).not.toContain(realToken);
    expect(out.stdout).not.toContain(Buffer.from(realToken).toString("base64"));
    expect(out.stdout).not.toContain("salt");
    type Props = Record<string, unknown>;
    const redacted = JSON.parse(out.stdout) as { deployment: { secrets_providers?: unknown; resources: { inputs?: Props; outputs?: Props }[] } };
    const secret = (plaintext: unknown) => ({
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      plaintext: JSON.stringify(plaintext),
    });
    expect(redacted.deployment.secrets_providers).toBeUndefined();
    expect(redacted.deployment.resources[1]?.outputs?.result).toEqual(secret("redacted-for-preview"));
    // A Kubernetes Secret's data stays a map of base64 strings, as the provider compares it.
    const data = secret({ API_TOKEN: Buffer.from("redacted-for-preview").toString("base64") });
    const k8sSecret = redacted.deployment.resources[2];
    expect([k8sSecret?.inputs?.data, k8sSecret?.outputs?.data, (k8sSecret?.outputs?.__inputs as Props | undefined)?.data]).toEqual([data, data, data]);
    expect(k8sSecret?.outputs?.type).toBe("Opaque");
    expect(redacted.deployment.resources[0]?.outputs?.imageRef).toMatch(/@sha256:/);
    expect(out.stderr).toContain("5 secret value(s) redacted, 3 resources");
  });

  it("redact: fails closed on a secret still encrypted, and on anything but an export", () => {
    const state = JSON.parse(exportedState()) as { deployment: { resources: { outputs: Record<string, Record<string, string>> }[] } };
    const secret = state.deployment.resources[1]?.outputs.result ?? {};
    delete secret.plaintext;
    secret.ciphertext = "v1:abc";
    const out = box.nodeRun(["scripts/ci/state.mjs", "redact"], JSON.stringify(state));
    expect(out.status).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr).toMatch(/still encrypted/);
    expect(box.nodeRun(["scripts/ci/state.mjs", "redact"], '{"resources": []}').status).toBe(1);
  });

  it("for-import: the redacted state under the new stack's passphrase salt, and nothing else", () => {
    const redacted = box.write("redacted.json", box.nodeRun(["scripts/ci/state.mjs", "redact"], exportedState()).stdout);
    const out = box.nodeRun(["scripts/ci/state.mjs", "for-import", redacted, "v1:bmV3:v1:x:y"]);
    expect(out.status).toBe(0);
    expect((JSON.parse(out.stdout) as { deployment: { secrets_providers: unknown } }).deployment.secrets_providers).toEqual({
      type: "passphrase",
      state: { salt: "v1:bmV3:v1:x:y" },
    });
    const unredacted = box.write("raw.json", exportedState());
    expect(box.nodeRun(["scripts/ci/state.mjs", "for-import", unredacted, "v1:bmV3:v1:x:y"]).stderr).toMatch(/not a redacted state/);
    expect(box.nodeRun(["scripts/ci/state.mjs", "for-import", redacted, ""]).status).toBe(1);
  });

  it("fingerprint: the time the state was last written", () => {
    expect(box.nodeRun(["scripts/ci/state.mjs", "fingerprint"], exportedState({ time: "T1" })).stdout).toBe("T1\n");
    expect(box.nodeRun(["scripts/ci/state.mjs", "fingerprint"], "{}").status).toBe(1);
  });

  it("deployed-commit: the commit of the newest successful update", () => {
    const history = JSON.stringify([
      { kind: "update", result: "failed", environment: { "git.head": "1".repeat(40) } },
      { kind: "refresh", result: "succeeded", environment: { "git.head": "2".repeat(40) } },
      { kind: "update", result: "succeeded", environment: { "git.head": "3".repeat(40) } },
      { kind: "update", result: "succeeded", environment: { "git.head": "4".repeat(40) } },
    ]);
    expect(box.nodeRun(["scripts/ci/state.mjs", "deployed-commit"], history).stdout).toBe(`${"3".repeat(40)}\n`);
    expect(box.nodeRun(["scripts/ci/state.mjs", "deployed-commit"], "[]").status).toBe(1);
  });
});

describe("stack-file.mjs", () => {
  const box = sandbox();
  const file = path.join(box.project, "Pulumi.dev.yaml");
  afterEach(() => box.git("checkout", "-q", "--", "."));

  it("image: what the stack file asks for, a build of its repository or the image it sets", () => {
    expect(box.node("scripts/ci/stack-file.mjs", "image", "Pulumi.dev.yaml")).toBe("build ghcr.io/your-org/goapi\n");
    const ref = `ghcr.io/your-org/goapi:t@sha256:${"c".repeat(64)}`;
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("    registry: ghcr.io/your-org\n", `    registry: ghcr.io/your-org\n    ref: ${ref}\n`));
    expect(box.node("scripts/ci/stack-file.mjs", "image", "Pulumi.dev.yaml")).toBe(`pinned ${ref}\n`);
  });

  it("strip: keeps the CLI's style of the file", () => {
    const prod = path.join(box.project, "Pulumi.prod.yaml");
    const before = fs.readFileSync(prod, "utf8");
    box.node("scripts/ci/stack-file.mjs", "strip", "Pulumi.prod.yaml");
    expect(fs.readFileSync(prod, "utf8")).toBe(before);
  });

  it("strip: removes the encryption settings and every secure value, and names them", () => {
    fs.appendFileSync(file, "  goapi:apiToken:\n    secure: v1:AAA\n  goapi:app:\n    env:\n      KEY:\n        secure: v1:BBB\nencryptionsalt: v1:salt\n");
    expect(box.node("scripts/ci/stack-file.mjs", "strip", "Pulumi.dev.yaml")).toBe("goapi:apiToken\ngoapi:app.env.KEY\n");
    const text = fs.readFileSync(file, "utf8");
    expect(text).not.toMatch(/secure|encryptionsalt/);
    expect(text).toContain("goapi:kubeContext: dev");
  });
});

describe("snapshot.sh", () => {
  const box = sandbox();

  it("writes only the redacted state: the plaintext of the export never reaches a file", () => {
    const out = path.join(box.dir, "snapshot");
    const run = box.run(
      "scripts/ci/snapshot.sh",
      { STACK: "dev", PULUMI_BACKEND_URL: "s3://b/goapi", STUB_EXPORT: box.write("export.json", exportedState({ secret: realToken })), GITHUB_SHA: "d".repeat(40) },
      [out],
    );
    expect(run.stderr).toContain("secret value(s) redacted");
    expect(run.code).toBe(0);
    expect(callsTo(run, "pulumi")).toContain("pulumi stack export --show-secrets");
    expect(fs.readdirSync(out).sort()).toEqual(["meta.json", "state.json"]);
    expect(fs.readdirSync(run.runnerTemp).sort()).toEqual(["output", "summary"]); // the scratch folder is gone
    for (const [name, content] of [...filesBelow(out), ...filesBelow(run.runnerTemp)]) {
      expect({ name, leaks: content.includes(realToken) }).toEqual({ name, leaks: false });
    }
    expect(JSON.parse(fs.readFileSync(path.join(out, "meta.json"), "utf8"))).toMatchObject({ stack: "dev", commit: "d".repeat(40) });
  });
});

describe("find-snapshot.sh", () => {
  const box = sandbox();
  const artifact = (run: number, created: string, extra: Record<string, unknown> = {}) => ({
    id: run * 10,
    expired: false,
    created_at: created,
    workflow_run: { id: run, head_branch: "main", head_repository_id: 7 },
    ...extra,
  });
  const find = (artifacts: unknown[]) =>
    box.run("scripts/ci/find-snapshot.sh", {
      STACK: "prod",
      GITHUB_REPOSITORY: "acme/goapi",
      REPOSITORY_ID: "7",
      STUB_ARTIFACTS: box.write("artifacts.json", JSON.stringify({ artifacts })),
    });

  it("takes the newest state published by a run on main of this repository", () => {
    const run = find([
      artifact(1, "2026-11-20T01:00:00Z"),
      artifact(2, "2026-11-22T01:00:00Z"),
      artifact(3, "2026-11-23T01:00:00Z", { expired: true }),
      artifact(4, "2026-11-24T01:00:00Z", { workflow_run: { id: 4, head_branch: "feature", head_repository_id: 7 } }),
      artifact(5, "2026-11-24T02:00:00Z", { workflow_run: { id: 5, head_branch: "main", head_repository_id: 99 } }),
      artifact(6, "2026-11-21T01:00:00Z"),
    ]);
    expect(run.code).toBe(0);
    expect(callsTo(run, "gh")).toEqual(["gh api repos/acme/goapi/actions/artifacts?name=preview-state-prod&per_page=100"]);
    expect(run.outputs).toEqual({ "run-id": "2" });
  });

  it("says so when there is none, and leaves the run id empty", () => {
    const run = find([artifact(4, "2026-11-24T01:00:00Z", { workflow_run: { id: 4, head_branch: "fork-main", head_repository_id: 7 } })]);
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({ "run-id": "" });
    expect(run.stdout).toMatch(/::warning title=no state of prod::/);
  });
});

describe("preview.sh", () => {
  const box = sandbox();
  const tree = box.git("rev-parse", "HEAD:app");
  afterEach(() => box.git("checkout", "-q", "--", "."));

  function snapshotDir(imageRef: string | undefined): string {
    const dir = fs.mkdtempSync(path.join(box.dir, "snapshot-"));
    if (imageRef !== undefined) {
      const state = box.nodeRun(["scripts/ci/state.mjs", "redact"], exportedState({ imageRef })).stdout;
      fs.writeFileSync(path.join(dir, "state.json"), state);
      fs.writeFileSync(path.join(dir, "meta.json"), JSON.stringify({ stack: "dev", exportedAt: "2026-11-24T05:17:00Z", run: "https://github.com/acme/goapi/actions/runs/9" }));
    }
    return dir;
  }
  const preview = (snapshot: string, env: Record<string, string> = {}) =>
    box.run(
      "scripts/ci/preview.sh",
      {
        STACK: "dev",
        PREVIEW_KUBECONFIG: "apiVersion: v1\n# the preview identity",
        PULUMI_ACCESS_TOKEN: "must-not-reach-pulumi",
        PR_HEAD_SHA: "e".repeat(40),
        STUB_PREVIEW_JSON: fixturePath("image-change", "events.jsonl"),
        STUB_PREVIEW_OUTPUT: "~ kubernetes:apps/v1:Deployment goapi update",
        ...env,
      },
      [snapshot, path.join(box.dir, "preview")],
    );
  const comment = () => fs.readFileSync(path.join(box.dir, "preview", "comment.md"), "utf8");

  it("previews against the redacted state in a local backend, as the preview identity, with nothing else", () => {
    const run = preview(snapshotDir(`ghcr.io/your-org/goapi:${tree.slice(0, 12)}@sha256:${"1".repeat(64)}`));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const pulumi = callsTo(run, "pulumi");
    expect(pulumi.slice(0, 2)).toEqual(["pulumi stack init dev", expect.stringMatching(/^pulumi stack import --file .*goapi-ci\.\w+\/state\.json$/)]);
    expect(pulumi.filter((c) => c.startsWith("pulumi preview"))).toEqual([
      "pulumi preview --json --color never --policy-pack policy",
      "pulumi preview --diff --color never --suppress-progress --policy-pack policy",
    ]);
    // The event stream: the only form of --json with the policy results.
    expect(fs.readFileSync(path.join(run.stubDir, "json-streaming"), "utf8")).toBe("true\n");
    expect(pulumi.some((c) => c.startsWith("pulumi login"))).toBe(false);
    for (const line of run.pulumiEnv) {
      expect(line).toMatch(/KUBECONFIG=\S+\/runner-\w+\/kubeconfig KUBECONFIG_MODE=600 KUBECONFIG_DATA= PREVIEW_KUBECONFIG= BACKEND=file:\/\/\S+\/state PASSPHRASE=redacted-for-preview TOKEN=$/);
    }
  });

  it("keeps the deployed image while app/ is unchanged", () => {
    const deployed = `ghcr.io/your-org/goapi:${tree.slice(0, 12)}@sha256:${"1".repeat(64)}`;
    const run = preview(snapshotDir(deployed));
    expect(callsTo(run, "pulumi")).toContain(`pulumi config set --path goapi:image.ref ${deployed}`);
    expect(comment()).toContain("app/ is unchanged");
  });

  it("shows the image the build will push, with a digest of zeros, once app/ changed", () => {
    const run = preview(snapshotDir(`ghcr.io/your-org/goapi:${"9".repeat(12)}@sha256:${"1".repeat(64)}`));
    expect(callsTo(run, "pulumi")).toContain(`pulumi config set --path goapi:image.ref ghcr.io/your-org/goapi:${tree.slice(0, 12)}@sha256:${zeros}`);
    expect(comment()).toContain("app/ changed");
  });

  it("previews the rollback pin when there is one", () => {
    const ref = `ghcr.io/your-org/goapi:abcdef123456@sha256:${"4".repeat(64)}`;
    fs.mkdirSync(path.join(box.project, ".github", "pins"), { recursive: true });
    fs.writeFileSync(path.join(box.project, ".github", "pins", "dev.image"), `${ref}\n`);
    const run = preview(snapshotDir(`ghcr.io/your-org/goapi:${tree.slice(0, 12)}@sha256:${"1".repeat(64)}`));
    fs.rmSync(path.join(box.project, ".github"), { recursive: true });
    expect(callsTo(run, "pulumi")).toContain(`pulumi config set --path goapi:image.ref ${ref}`);
    expect(comment()).toContain(`the rollback pin \`${ref}\``);
  });

  it("replaces the stack file's own secrets by placeholders under the throwaway passphrase", () => {
    fs.appendFileSync(path.join(box.project, "Pulumi.dev.yaml"), "  goapi:apiToken:\n    secure: v1:real-ciphertext\nencryptionsalt: v1:real-salt\n");
    const run = preview(snapshotDir(undefined));
    expect(run.code).toBe(0);
    expect(callsTo(run, "pulumi")).toContain("pulumi config set --secret --path goapi:apiToken redacted-for-preview");
    expect(fs.readFileSync(path.join(box.project, "Pulumi.dev.yaml"), "utf8")).not.toMatch(/real-ciphertext|real-salt/);
  });

  it("writes the change report as the comment, under the stack's marker, with what was previewed", () => {
    const run = preview(snapshotDir(`ghcr.io/your-org/goapi:${tree.slice(0, 12)}@sha256:${"1".repeat(64)}`), {
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_REPOSITORY: "acme/goapi",
      GITHUB_RUN_ID: "77",
    });
    expect(run.code).toBe(0);
    const lines = comment().split("\n");
    expect(lines.slice(0, 2)).toEqual(["<!-- goapi-preview:dev -->", "### Preview of `dev`: 1 to update, 12 unchanged"]);
    const text = comment();
    expect(text).toContain(`Commit \`${"e".repeat(40)}\``);
    expect(text).toContain("against the state of dev exported at 2026-11-24T05:17:00Z by https://github.com/acme/goapi/actions/runs/9");
    expect(text).toContain("**Policy** `goapi` 0.1.0: 12 rules, all pass");
    expect(text).toContain("| update | Deployment | `goapi` |");
    expect(text).toContain("[job summary](https://github.com/acme/goapi/actions/runs/77)");
    expect(text).not.toContain(box.project);
  });

  it("puts the report and the whole --diff text in the job summary", () => {
    const run = preview(snapshotDir(undefined));
    expect(run.summary).toContain("**Policy** `goapi` 0.1.0: 12 rules, all pass");
    expect(run.summary).toContain("```diff\n~ kubernetes:apps/v1:Deployment goapi update\n```");
    expect(run.summary).not.toContain("<!-- goapi-preview:");
  });

  it("fails on a mandatory policy violation, after the comment lists the findings", () => {
    const run = preview(snapshotDir(undefined), { STUB_PREVIEW_JSON: fixturePath("policy-violation", "events.jsonl"), STUB_PREVIEW_EXIT: "255" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/::error title=preview failed::pulumi preview of dev failed \(exit 255\): an error or a mandatory policy violation/);
    expect(comment()).toContain("3 mandatory violations (these fail preview and up)");
    expect(comment()).toContain("| mandatory | `no-loadbalancer-service` | Service `goapi` |");
  });

  it("fails, and says so in the comment, when the preview fails", () => {
    const run = preview(snapshotDir(undefined), { STUB_PREVIEW_JSON: fixturePath("error", "events.jsonl"), STUB_PREVIEW_EXIT: "255" });
    expect(run.code).toBe(1);
    expect(comment().split("\n")[1]).toMatch(/\(failed\)$/);
    expect(comment()).toContain("goapi:autoscaling.maxReplica: is not a setting of this program");
  });

  it("falls back to the diff text when the preview printed no events", () => {
    const run = preview(snapshotDir(undefined), { STUB_PREVIEW_JSON: "", STUB_PREVIEW_EXIT: "255", STUB_PREVIEW_OUTPUT: "error: could not load plugin" });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("::warning title=no report::");
    const text = comment();
    expect(text.split("\n")[0]).toBe("<!-- goapi-preview:dev -->");
    expect(text).toContain("**The preview failed (exit 255).**");
    expect(text).toContain("```diff\nerror: could not load plugin");
    expect(run.summary).toContain("error: could not load plugin");
  });

  it("says when there was no published state, and imports none", () => {
    const run = preview(snapshotDir(undefined));
    expect(callsTo(run, "pulumi").some((c) => c.startsWith("pulumi stack import"))).toBe(false);
    expect(comment()).toContain("against an **empty** stack");
  });

  it("stops before the CLI runs when the stack file cannot be read", () => {
    fs.appendFileSync(path.join(box.project, "Pulumi.dev.yaml"), "  goapi:kubeContext: twice\n");
    const run = preview(snapshotDir(undefined));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Map keys must be unique/);
    expect(callsTo(run, "pulumi")).toEqual([]);
  });

});

describe("pr-comment.sh", () => {
  const box: Sandbox = sandbox();
  const comments = box.write(
    "comments.json",
    JSON.stringify([
      [
        { id: 1, user: { login: "someone" }, body: "<!-- goapi-preview:dev --> quoted by a person" },
        { id: 2, user: { login: "github-actions[bot]" }, body: "<!-- goapi-preview:prod -->\nold prod" },
      ],
      [{ id: 3, user: { login: "github-actions[bot]" }, body: "<!-- goapi-preview:dev -->\nold dev" }],
    ]),
  );
  const post = (...files: string[]) =>
    box.run("scripts/ci/pr-comment.sh", { GITHUB_REPOSITORY: "acme/goapi", PR_NUMBER: "12", STUB_COMMENTS: comments }, files);
  const writes = (run: CiRun) => callsTo(run, "gh").filter((c) => / -X (POST|PATCH) /.test(c));

  it("edits the bot's earlier comment for the same stack, across pages, never someone else's", () => {
    const body = box.write("dev.md", "<!-- goapi-preview:dev -->\nnew dev\n");
    const run = post(body);
    expect(run.code).toBe(0);
    expect(writes(run)).toEqual([`gh api -X PATCH repos/acme/goapi/issues/comments/3 -F body=@${body}`]);
    expect(fs.readFileSync(path.join(run.stubDir, "posted"), "utf8")).toBe("<!-- goapi-preview:dev -->\nnew dev\n");
  });

  it("posts a new comment for a stack without one, and skips a preview that wrote none", () => {
    const body = box.write("local.md", "<!-- goapi-preview:local -->\nx\n");
    const run = post(body, path.join(box.dir, "missing.md"));
    expect(run.code).toBe(0);
    expect(writes(run)).toEqual([`gh api -X POST repos/acme/goapi/issues/12/comments -F body=@${body}`]);
    expect(run.stdout).toContain("::notice title=no comment::");
  });

  it("refuses a body without the marker", () => {
    const run = post(box.write("bad.md", "hello\n"));
    expect(run.code).toBe(1);
    expect(writes(run)).toEqual([]);
  });
});
