import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { localEnv, stackFileCopy } from "../../scripts/dev/stack";

describe("the local stack as local:dev opens it", () => {
  it("uses the checkout's file backend and the local-only passphrase unless the user set one", () => {
    expect(localEnv("/repo", {})).toEqual({
      PULUMI_BACKEND_URL: "file:///repo/.pulumi",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: "true",
      PULUMI_CONFIG_PASSPHRASE: "local-only-passphrase",
    });
    expect(localEnv("/repo", { PULUMI_CONFIG_PASSPHRASE: "" }).PULUMI_CONFIG_PASSPHRASE).toBeUndefined();
    expect(localEnv("/repo", { PULUMI_CONFIG_PASSPHRASE_FILE: "/p" }).PULUMI_CONFIG_PASSPHRASE).toBeUndefined();
  });

  it("hands the CLI a fresh copy of Pulumi.local.yaml in the state folder, never the committed file", () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-dev-stack-"));
    try {
      fs.writeFileSync(path.join(repo, "Pulumi.yaml"), "name: goapi\nruntime: nodejs\n");
      fs.writeFileSync(path.join(repo, "Pulumi.local.yaml"), "config:\n  goapi:a: one\n");
      const copy = stackFileCopy(repo);
      expect(copy).toBe(path.join(repo, ".pulumi", "stack-config", "goapi", "Pulumi.local.yaml"));
      fs.writeFileSync(path.join(repo, "Pulumi.local.yaml"), "config:\n  goapi:a: two\n");
      stackFileCopy(repo);
      expect(fs.readFileSync(copy, "utf8")).toContain("goapi:a: two");
      expect(fs.readFileSync(path.join(repo, ".pulumi", "stack-config", "goapi", "Pulumi.yaml"), "utf8")).toContain("name: goapi");
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });
});
