// `npm run check -- <stack>` reports a stack file's problems once each.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkStack } from "../scripts/check-stack";

const fixtures = path.join(__dirname, "fixtures");

function stackFile(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-check-"));
  const file = path.join(dir, "Pulumi.broken.yaml");
  fs.writeFileSync(file, text);
  return file;
}

describe("npm run check", () => {
  it("accepts a valid stack file and says which encrypted values it could only see as present", () => {
    expect(checkStack("staging", path.join(fixtures, "Pulumi.staging.yaml"))).toEqual({
      code: 0,
      text: "Pulumi.staging.yaml: valid for stack staging (encrypted, checked as present: goapi:registryPassword, goapi:apiToken, goapi:databasePassword)",
    });
  });

  it("lists every problem once, with its key", () => {
    const file = stackFile("config:\n  goapi:kubeContext: x\n  goapi:ingress:\n    host: Not A Host\n  goapi:autoscaling:\n    minReplica: 2\n");
    const result = checkStack("broken", file);
    expect(result.code).toBe(1);
    const lines = result.text.split("\n");
    expect(lines[0]).toBe("Pulumi.broken.yaml: Stack 'broken' has invalid configuration (nothing was changed):");
    expect(lines.slice(1).map((l) => l.trim())).toEqual([
      "goapi:autoscaling.minReplica: is not a setting of this program (a typo of goapi:autoscaling.minReplicas?)",
      expect.stringMatching(/^goapi:ingress\.host: must be a lower-case DNS host name/),
      "goapi:image.registry: is required unless image.ref names a prebuilt image",
      expect.stringMatching(/^goapi:database: is required: inCluster/),
    ]);
    expect(new Set(lines).size).toBe(lines.length);
  });

  it("names a missing stack file and how to create it", () => {
    expect(checkStack("nope", path.join(fixtures, "Pulumi.nope.yaml"))).toEqual({
      code: 2,
      text: "Pulumi.nope.yaml: no such stack file (create it with: npx pulumi stack init nope)",
    });
  });
});
