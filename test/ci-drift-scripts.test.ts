// The drift check's scripts against stub tools.
import { callsTo, sandbox } from "./helpers/ci-scripts";

const backend = { STACK: "prod", PULUMI_BACKEND_URL: "s3://state-bucket/goapi", PULUMI_CONFIG_PASSPHRASE: "p" };

describe("deployed-commit.sh", () => {
  const box = sandbox();
  const main = box.git("rev-parse", "HEAD");
  const history = (commit: string) =>
    box.write("history.json", JSON.stringify([{ kind: "update", result: "succeeded", environment: { "git.head": commit } }]));

  it("names the commit of the stack's last successful update", () => {
    const run = box.run("scripts/ci/deployed-commit.sh", { ...backend, STUB_HISTORY: history(main) });
    expect(run.code).toBe(0);
    expect(callsTo(run, "pulumi")).toContain("pulumi stack history --json --page-size 20");
    expect(run.outputs).toEqual({ commit: main });
  });

  it("refuses a commit that is not on main: its code would run with the stack's credentials", () => {
    const other = box.commitOnBranch("elsewhere", "x.go");
    const run = box.run("scripts/ci/deployed-commit.sh", { ...backend, STUB_HISTORY: history(other) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not a commit of main/);
    expect(run.outputs).toEqual({});
  });
});

describe("drift.sh", () => {
  const box = sandbox();
  const deployed = `ghcr.io/your-org/goapi:t@sha256:${"f".repeat(64)}`;
  const drift = (env: Record<string, string> = {}) =>
    box.run("scripts/ci/drift.sh", { ...backend, KUBECONFIG_DATA: "apiVersion: v1", STUB_IMAGE_OUTPUT: deployed, ...env });

  it("previews with a refresh, the deployed image, and expects no changes", () => {
    const run = drift();
    expect(run.code).toBe(0);
    const pulumi = callsTo(run, "pulumi");
    expect(pulumi).toContain(`pulumi config set --path goapi:image.ref ${deployed}`);
    expect(pulumi).toContain("pulumi preview --refresh --expect-no-changes --diff --color never --suppress-progress");
    expect(run.summary).toMatch(/^## prod: no drift/);
  });

  it("fails visibly with the diff in the summary when anything would change", () => {
    const run = drift({ STUB_PREVIEW_EXIT: "255", STUB_PREVIEW_OUTPUT: "~ kubernetes:apps/v1:Deployment goapi update [diff: ~spec.replicas]" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/::error title=drift in prod::/);
    expect(run.summary).toContain("## prod: drift");
    expect(run.summary).toContain("```diff\n~ kubernetes:apps/v1:Deployment goapi update [diff: ~spec.replicas]");
  });

  it("keeps an image the stack file itself sets", () => {
    const pin = `ghcr.io/your-org/goapi:old@sha256:${"b".repeat(64)}`;
    const run = drift({ STUB_PIN: pin });
    expect(callsTo(run, "pulumi").filter((c) => c.includes("config set"))).toEqual([]);
    expect(run.stdout).toContain(`with ${pin}`);
  });
});
