// A digest of the pod's configuration for a pod-template annotation: a change
// of the ConfigMap or Secret then rolls the pods, an unchanged one does not.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

export function configChecksum(config: Record<string, string>, secret: pulumi.Input<Record<string, string>>): pulumi.Output<string> {
  const digest = pulumi.output(secret).apply((s) =>
    createHash("sha256")
      .update(JSON.stringify([sorted(config), sorted(s)]))
      .digest("hex"),
  );
  // A SHA-256 over a token of at least 16 characters does not reveal it; left
  // secret, it would hide the whole pod template from every preview diff.
  return pulumi.unsecret(digest);
}

function sorted(r: Record<string, string>): [string, string][] {
  return Object.entries(r).sort(([a], [b]) => a.localeCompare(b));
}
