// `npm run check -- <stack>` reports a stack file's problems once each.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fromImages } from "../components/image-args";
import { checkStack, main } from "../scripts/check-stack";

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
      warnings: [],
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

  it("refuses a base image that no FROM line of app/Dockerfile names, as the preview would", () => {
    const valid = fs.readFileSync(path.join(fixtures, "Pulumi.staging.yaml"), "utf8");
    const dockerfile = path.join(__dirname, "..", "app", "Dockerfile");
    const from = fromImages(fs.readFileSync(dockerfile, "utf8"));
    const mirror = `mirror.example.test/base@sha256:${"a".repeat(64)}`;
    const withBases = (keys: string[]) =>
      valid.replace("    registry: registry.example.test/team\n", `    registry: registry.example.test/team\n    baseImages:\n${keys.map((k) => `      "${k}": ${mirror}\n`).join("")}`);
    expect(checkStack("broken", stackFile(withBases(from))).code).toBe(0);
    expect(checkStack("broken", stackFile(withBases(["golang:1.26.8-bookworm"])))).toEqual({
      code: 1,
      text: `Pulumi.broken.yaml: goapi:image.baseImages: "golang:1.26.8-bookworm" is not a FROM image of ${dockerfile}, whose FROM images are: ${from.join(", ")}`,
      warnings: [],
    });
  });

  it("names a missing stack file and how to create it", () => {
    expect(checkStack("nope", path.join(fixtures, "Pulumi.nope.yaml"))).toEqual({
      code: 2,
      text: "Pulumi.nope.yaml: no such stack file (create it with: npx pulumi stack init nope)",
      warnings: [],
    });
  });

  it("names the line and column of a YAML syntax error, without a stack trace", () => {
    const file = stackFile("config:\n  goapi:kubeContext: x\n  goapi:image: {registry: [\n");
    const result = checkStack("broken", file);
    expect(result.code).toBe(1);
    expect(result.text).toMatch(/^Pulumi\.broken\.yaml: not valid YAML: .* at line 4, column 1$/);
    expect(result.text.split("\n")).toHaveLength(1);
  });

  const placeholders = [
    "config:",
    "  goapi:kubeContext: dev",
    "  goapi:image: {registry: ghcr.io/your-org}",
    "  goapi:registryUsername: bot",
    "  goapi:registryPassword: {secure: AAABAB}",
    "  goapi:ingress: {host: goapi.dev.example.com}",
    "  goapi:databasePassword: {secure: AAABAC}",
    "  goapi:database:",
    "    external: {host: postgres.example.org}",
    "",
  ].join("\n");

  it("warns about every placeholder left in a valid stack file, by key and value", () => {
    const result = checkStack("dev", stackFile(placeholders));
    expect(result.code).toBe(0);
    expect(result.warnings).toEqual([
      "Pulumi.broken.yaml: placeholders to replace with your own values:",
      "  goapi:image.registry: ghcr.io/your-org (your-org is a placeholder for your account or organization)",
      "  goapi:ingress.host: goapi.dev.example.com (example.com is reserved for examples: no one can serve it)",
      "  goapi:database.external.host: postgres.example.org (example.org is reserved for examples: no one can serve it)",
    ]);
  });

  it("warns about placeholders in an invalid stack file too", () => {
    const result = checkStack("dev", stackFile(placeholders.replace("  goapi:registryUsername: bot\n", "")));
    expect(result.code).toBe(1);
    expect(result.warnings[1]).toBe("  goapi:image.registry: ghcr.io/your-org (your-org is a placeholder for your account or organization)");
  });

  it.each([
    ["ghcr.io/acme", "goapi.dev.acme.io", "db.internal"],
    ["registry.example.company.com", "example.com.acme.io", "notexample.com"],
    ["ghcr.io/your-organisation", "api.example.community", "10.0.0.5"],
  ])("warns about nothing in a stack file of real values (%s, %s, %s)", (registry, host, db) => {
    const text = placeholders.replace("ghcr.io/your-org", registry).replace("goapi.dev.example.com", host).replace("postgres.example.org", db);
    expect(checkStack("dev", stackFile(text))).toMatchObject({ code: 0, warnings: [] });
  });
});

describe("npm run check's arguments", () => {
  it.each([["--help"], ["-h"]])("answers %s with its usage", (flag) => {
    const result = main([flag]);
    expect(result.code).toBe(0);
    expect(result.text).toMatch(/^usage: npm run check -- <stack>/);
  });

  it.each([[[]], [["dev", "prod"]], [["--stack"]], [["-x"]]])("refuses %j with its usage", (args) => {
    const result = main(args);
    expect(result.code).toBe(2);
    expect(result.text).toMatch(/^usage: npm run check -- <stack>/);
  });
});
