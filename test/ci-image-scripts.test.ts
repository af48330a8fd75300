// scripts/ci/{scan,sign,verify}-image.sh against stub trivy and cosign that
// record their arguments (and whether credentials reached them by environment
// or stdin) and answer as told by STUB_* variables.
import * as fs from "node:fs";
import { runWithStubs } from "./helpers/stubs";

const ref = `ghcr.io/acme/goapi@sha256:${"e".repeat(64)}`;
const tools = ["sed", "head", "mktemp", "rm", "dirname", "cat"];

const trivy = `case "$1" in
  --version) echo "Version: \${STUB_TRIVY_VERSION:-0.74.0}" ;;
  image) case " $* " in *" --download-db-only "*)
           echo "trivy-db user=\${TRIVY_USERNAME:-} password-set=\${TRIVY_PASSWORD:+yes}" >> "$STUB_LOG"; exit "\${STUB_TRIVY_DB_EXIT:-0}" ;;
         esac
         echo "trivy-env user=\${TRIVY_USERNAME:-} password-set=\${TRIVY_PASSWORD:+yes}" >> "$STUB_LOG"
         for a in "$@"; do case "$a" in linux/arm64) exit "\${STUB_TRIVY_ARM64_EXIT:-\${STUB_TRIVY_EXIT:-0}}" ;; esac; done
         exit "\${STUB_TRIVY_EXIT:-0}" ;;
esac`;
const cosign = `case "$1" in
  version) printf '  ______   ______\\n\\nGitVersion:    %s\\nGitCommit:     0000\\n' "\${STUB_COSIGN_VERSION:-v3.1.3}" ;;
  login) echo "cosign-stdin $(cat)" >> "$STUB_LOG" ;;
  sign) [ -n "\${DOCKER_CONFIG:-}" ] && echo "cosign-config $DOCKER_CONFIG $(command -p stat -c %a "$DOCKER_CONFIG")" >> "$STUB_LOG"; exit "\${STUB_COSIGN_EXIT:-0}" ;;
  verify) exit "\${STUB_COSIGN_EXIT:-0}" ;;
esac`;

function run(script: string, args: string[], env: Record<string, string> = {}, stubs: Record<string, string> = { trivy, cosign }) {
  const r = runWithStubs({ script: `scripts/ci/${script}`, args, stubs, tools, env: { STUB_LOG: "<stubs>/calls.log", ...env } });
  return { ...r, tool: r.calls.filter((c) => /^(trivy|cosign) /.test(c)), notes: r.calls.filter((c) => /^(trivy-db|trivy-env|cosign-stdin|cosign-config) /.test(c)) };
}

describe.each(["scan-image.sh", "sign-image.sh", "verify-image.sh"])("%s", (script) => {
  it.each([
    ["a tag", "ghcr.io/acme/goapi:latest"],
    ["nothing", ""],
    ["a short digest", "ghcr.io/acme/goapi@sha256:abc"],
  ])("refuses %s before calling any tool", (_what, given) => {
    const r = run(script, [given], { GITHUB_REPOSITORY: "acme/goapi" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is not pinned by digest");
    expect(r.tool).toEqual([]);
  });

  it("says which tool is missing", () => {
    const r = run(script, [ref], { GITHUB_REPOSITORY: "acme/goapi" }, {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/(trivy|cosign) is not installed/);
  });
});

describe("scan-image.sh", () => {
  const dbDownload = "trivy image --download-db-only --no-progress";

  it("fails only on fixable HIGH and CRITICAL vulnerabilities of the digest", () => {
    const r = run("scan-image.sh", [ref]);
    expect(r.code).toBe(0);
    expect(r.tool).toEqual([
      dbDownload,
      `trivy image --scanners vuln --severity HIGH,CRITICAL --ignore-unfixed --exit-code 3 --no-progress --skip-db-update ${ref}`,
    ]);
    expect(r.stdout).toContain("no fixable HIGH or CRITICAL vulnerability");
  });

  it("exits 1 with what to do when Trivy finds some", () => {
    const r = run("scan-image.sh", [ref], { STUB_TRIVY_EXIT: "3" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("fixable HIGH or CRITICAL vulnerabilities");
    expect(r.stderr).toContain("scripts/bump-base-images.sh");
  });

  it("tells a failed scan from a finding", () => {
    const r = run("scan-image.sh", [ref], { STUB_TRIVY_EXIT: "1" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("trivy could not scan");
  });

  it("scans each platform and fails if any has findings", () => {
    const r = run("scan-image.sh", [ref], { PLATFORMS: "linux/amd64,linux/arm64", STUB_TRIVY_ARM64_EXIT: "3" });
    expect(r.code).toBe(1);
    expect(r.tool.slice(1).map((c) => c.match(/--platform (\S+)/)?.[1])).toEqual(["linux/amd64", "linux/arm64"]);
    expect(r.stderr).toContain(`${ref} (linux/arm64)`);
  });

  it("runs only the pinned Trivy version", () => {
    expect(run("scan-image.sh", [ref], { TRIVY_VERSION: "v0.74.0" }).code).toBe(0);
    const other = run("scan-image.sh", [ref], { TRIVY_VERSION: "v0.74.0", STUB_TRIVY_VERSION: "0.69.4" });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("trivy 0.69.4 is not the pinned v0.74.0");
    expect(other.tool).toEqual(["trivy --version"]);
  });

  it("hands registry credentials to Trivy in its environment, not its arguments, for the image only", () => {
    const r = run("scan-image.sh", [ref], {
      REGISTRY_USERNAME: "bot",
      REGISTRY_PASSWORD: "s3cret-token",
      TRIVY_USERNAME: "someone",
      TRIVY_PASSWORD: "inherited",
      PLATFORMS: "linux/amd64,linux/arm64",
    });
    expect(r.code).toBe(0);
    // The database comes anonymously from Trivy's registries, once for every platform.
    expect(r.notes).toEqual(["trivy-db user= password-set=", "trivy-env user=bot password-set=yes", "trivy-env user=bot password-set=yes"]);
    expect(r.tool.filter((c) => c === dbDownload)).toHaveLength(1);
    expect(r.tool.join("\n")).not.toContain("s3cret-token");
  });

  it("stops before scanning when the vulnerability database cannot be had", () => {
    const r = run("scan-image.sh", [ref], { STUB_TRIVY_DB_EXIT: "1" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("could not download Trivy's vulnerability database");
    expect(r.tool).toEqual([dbDownload]);
  });
});

describe.each(["sign-image.sh", "verify-image.sh"])("%s", (script) => {
  it("runs only the pinned cosign version", () => {
    const env = { GITHUB_REPOSITORY: "acme/goapi", COSIGN_VERSION: "v3.1.3" };
    expect(run(script, [ref], env).code).toBe(0);
    const other = run(script, [ref], { ...env, STUB_COSIGN_VERSION: "v3.1.2" });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("cosign v3.1.2 is not the pinned v3.1.3");
    expect(other.tool).toEqual(["cosign version"]);
  });
});

describe("sign-image.sh", () => {
  it("signs the digest keylessly, logged in through stdin with a private Docker config", () => {
    const r = run("sign-image.sh", [ref], { REGISTRY_USERNAME: "bot", REGISTRY_PASSWORD: "s3cret-token" });
    expect(r.code).toBe(0);
    expect(r.tool).toEqual(["cosign login ghcr.io --username bot --password-stdin", `cosign sign --yes ${ref}`]);
    expect(r.notes[0]).toBe("cosign-stdin s3cret-token");
    const [config = "", mode] = r.notes[1]?.replace(/^cosign-config /, "").split(" ") ?? [];
    expect(config).toMatch(/^\/tmp\//);
    expect(mode).toBe("700");
    expect(fs.existsSync(config)).toBe(false);
  });

  it("fails when cosign does", () => {
    expect(run("sign-image.sh", [ref], { STUB_COSIGN_EXIT: "1" }).code).not.toBe(0);
  });
});

describe("verify-image.sh", () => {
  const identityOf = (call: string | undefined) => call?.match(/--certificate-identity-regexp (\S+)/)?.[1] ?? "";

  it("asks for a signature by this repository's deploy workflow on main or a release tag, from GitHub's issuer", () => {
    const r = run("verify-image.sh", [ref], { GITHUB_REPOSITORY: "acme/go.api" });
    expect(r.code).toBe(0);
    expect(r.tool).toHaveLength(1);
    expect(r.tool[0]).toContain("--certificate-oidc-issuer https://token.actions.githubusercontent.com");
    expect(r.tool[0]?.endsWith(` ${ref}`)).toBe(true);
    // cosign matches with Go's RE2; this expression means the same in JavaScript.
    const identity = new RegExp(identityOf(r.tool[0]));
    const signer = "https://github.com/acme/go.api/.github/workflows/deploy.yml";
    expect(identity.test(`${signer}@refs/heads/main`)).toBe(true);
    expect(identity.test(`${signer}@refs/tags/v1.2.3`)).toBe(true);
    for (const other of [
      `${signer}@refs/heads/feature`,
      `${signer}@refs/pull/7/merge`,
      `${signer}@refs/tags/v1.2.3-rc1`,
      "https://github.com/acme/go.api/.github/workflows/preview.yml@refs/heads/main",
      "https://github.com/acme/goXapi/.github/workflows/deploy.yml@refs/heads/main",
      "https://github.com/evil/go.api/.github/workflows/deploy.yml@refs/heads/main",
      `${signer}@refs/heads/main.evil`,
      `https://evil.example/${signer}@refs/heads/main`,
    ]) {
      expect(identity.test(other)).toBe(false);
    }
  });

  it("takes another workflow or a whole identity when told", () => {
    const byWorkflow = run("verify-image.sh", [ref], { GITHUB_REPOSITORY: "acme/goapi", SIGNER_WORKFLOW: ".github/workflows/release.yml" });
    expect(new RegExp(identityOf(byWorkflow.tool[0])).test("https://github.com/acme/goapi/.github/workflows/release.yml@refs/heads/main")).toBe(true);
    const whole = run("verify-image.sh", [ref], { SIGNER_IDENTITY_REGEXP: "^https://gitlab\\.example/x$", SIGNER_ISSUER: "https://gitlab.example" });
    expect(whole.tool[0]).toBe(`cosign verify --certificate-identity-regexp ^https://gitlab\\.example/x$ --certificate-oidc-issuer https://gitlab.example ${ref}`);
  });

  it("refuses to guess the signer", () => {
    const r = run("verify-image.sh", [ref]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("set GITHUB_REPOSITORY");
    expect(r.tool).toEqual([]);
  });

  it("exits 1 and says so when the signature does not verify", () => {
    const r = run("verify-image.sh", [ref], { GITHUB_REPOSITORY: "acme/goapi", STUB_COSIGN_EXIT: "1" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("not deploying it");
  });
});
