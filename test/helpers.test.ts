// The test helpers fail with a message instead of hanging or passing vacuously.
import * as pulumi from "@pulumi/pulumi";
import { valueOf } from "./helpers/values";

describe("valueOf", () => {
  it("resolves a known output", async () => {
    await expect(valueOf(pulumi.output("x"))).resolves.toBe("x");
  });

  it("fails at once on an unknown output, naming it", async () => {
    await expect(valueOf(pulumi.output(pulumi.unknown), "stack output url")).rejects.toThrow("stack output url is unknown under mocks");
  });
});
