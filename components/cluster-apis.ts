// Which API kinds the target cluster serves, asked before declaring custom
// resources: without their CRDs, a preview would pass (the provider skips
// what it cannot dry-run) and `up` would fail on the provider's "no matches
// for kind". The program holds no credentials of its own; the stack's
// Kubernetes provider does, and its Helm template function fills Helm's
// .Capabilities from the cluster's API discovery (the only read it needs, which
// the pull-request preview's identity is allowed). A tiny chart of ours
// (charts/served-kinds) answers with Capabilities.APIVersions.Has per kind.
import * as path from "node:path";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const chart = path.join(__dirname, "charts", "served-kinds");
const answerName = "served-kinds";

/** Raised when the cluster lacks kinds the stack declares; its message says what to install. */
export class MissingKindsError extends pulumi.RunError {}

interface Rendered {
  kind?: unknown;
  metadata?: { name?: unknown };
  data?: Record<string, unknown>;
}

/** The kinds ("group/version/Kind") among `kinds` that the cluster's API discovery does not list. */
export async function unservedKinds(provider: k8s.Provider, kinds: readonly string[]): Promise<string[]> {
  const jsonOpts = JSON.stringify({ path: chart, namespace: "default", release_name: answerName, values: { kinds } });
  const answer = (await pulumi.runtime.invoke("kubernetes:helm:template", { jsonOpts }, { provider })) as { result?: unknown };
  const objects = Array.isArray(answer.result) ? (answer.result as Rendered[]) : [];
  const data = objects.find((o) => o.kind === "ConfigMap" && o.metadata?.name === answerName)?.data;
  if (data === undefined) {
    throw new Error(`the Kubernetes provider's Helm template of ${chart} returned no ${answerName} ConfigMap`);
  }
  return kinds.filter((k) => data[k] !== "true");
}

/**
 * Resolves when the cluster serves every kind; otherwise fails the program
 * (preview included) with a message naming the missing kinds and `remedy`.
 */
export async function requireKinds(provider: k8s.Provider, kinds: readonly string[], stack: string, remedy: string): Promise<void> {
  const missing = await unservedKinds(provider, kinds);
  if (missing.length > 0) {
    throw new MissingKindsError(
      `Stack '${stack}': the cluster does not serve ${missing.join(", ")} (its API discovery lists no such kind; if the cluster could not be reached, the provider's warning above says so). ${remedy}`,
    );
  }
}

/** Where a component asks whether the cluster serves its kinds; unset in render mode (no cluster to ask). */
export interface KindsCheck {
  provider: k8s.Provider;
  stack: string;
}

/**
 * A component whose children are custom resources: `declare` runs once the
 * cluster (`cluster` among its args) serves `kinds`, or the program fails
 * with `remedy`, having declared nothing.
 */
export abstract class CustomResourcesComponent<Args extends { cluster?: KindsCheck }> extends pulumi.ComponentResource {
  // The children are declared in initialize, which the ComponentResource
  // constructor runs with the args it was given, after the check.

  /** The kinds `args` needs, and what to do when the cluster lacks them. */
  protected abstract kindsOf(args: Args): { kinds: readonly string[]; remedy: string };

  /** Declares the children, with this component as their parent. */
  protected abstract declare(name: string, args: Args): void;

  protected override async initialize(inputs: pulumi.Inputs, _opts?: pulumi.ComponentResourceOptions, componentName?: string): Promise<undefined> {
    const args = inputs as Args;
    if (componentName === undefined) {
      throw new Error("ComponentResource passes initialize the component's name");
    }
    if (args.cluster !== undefined) {
      const { kinds, remedy } = this.kindsOf(args);
      await requireKinds(args.cluster.provider, kinds, args.cluster.stack, remedy);
    }
    this.declare(componentName, args);
    return undefined;
  }
}
