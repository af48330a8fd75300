// Reading `pulumi preview --json` for the engine checks, on the shape a real
// preview of this program printed (a log level change in render mode).
import { changes, parsePreview } from "../scripts/engine/preview";

const recorded = JSON.stringify({
  steps: [
    { op: "same", urn: "urn:pulumi:dev::goapi::pulumi:pulumi:Stack::goapi-dev" },
    { op: "replace", urn: "urn:pulumi:dev::goapi::goapi:index:ApiService$kubernetes:core/v1:ConfigMap::goapi", replaceReasons: ["data"] },
    { op: "update", urn: "urn:pulumi:dev::goapi::goapi:index:ApiService$kubernetes:apps/v1:Deployment::goapi" },
  ],
  diagnostics: [
    {
      urn: "urn:pulumi:dev::goapi::goapi:index:ApiService$kubernetes:core/v1:Secret::goapi",
      message: "warning: rendered YAML will contain a secret value in plaintext\n",
      severity: "warning",
    },
  ],
  changeSummary: { replace: 1, same: 11, update: 1 },
});

describe("parsePreview", () => {
  it("names each step by operation and resource type, parents stripped", () => {
    expect(changes(parsePreview(recorded))).toEqual(["replace kubernetes:core/v1:ConfigMap", "update kubernetes:apps/v1:Deployment"]);
  });

  it("keeps the diagnostics' severity and trimmed message", () => {
    expect(parsePreview(recorded).diagnostics).toEqual([
      {
        severity: "warning",
        message: "warning: rendered YAML will contain a secret value in plaintext",
        urn: "urn:pulumi:dev::goapi::goapi:index:ApiService$kubernetes:core/v1:Secret::goapi",
      },
    ]);
  });

  it("reads a preview without steps as no change", () => {
    expect(changes(parsePreview("{}"))).toEqual([]);
  });
});
