// Resource options never reach the mocks; a transformation on a component
// sees them for every resource below it. Recorded per "<type> <name>".
import * as pulumi from "@pulumi/pulumi";

export interface Recorded {
  ignoreChanges?: string[];
  retainOnDelete?: boolean;
  customTimeouts?: pulumi.CustomTimeouts;
  /** The "<type> <name>" of each resource it depends on explicitly. */
  dependsOn: string[];
}

export interface OptionsRecorder {
  transformation: pulumi.ResourceTransformation;
  /** The options of the resource "<type> <name>"; fails if it was never declared. */
  of(key: string): Recorded;
}

export function recordOptions(): OptionsRecorder {
  const seen = new Map<pulumi.Resource, string>();
  const raw = new Map<string, pulumi.ResourceOptions>();
  return {
    transformation: ({ type, name, resource, opts }) => {
      seen.set(resource, `${type} ${name}`);
      raw.set(`${type} ${name}`, opts);
      return undefined;
    },
    of(key) {
      const opts = raw.get(key);
      if (opts === undefined) {
        throw new Error(`no resource ${key} was declared; declared: ${[...raw.keys()].join(", ")}`);
      }
      const custom = opts as pulumi.CustomResourceOptions;
      const dependsOn = [opts.dependsOn ?? []].flat() as pulumi.Resource[];
      return {
        ignoreChanges: opts.ignoreChanges,
        retainOnDelete: opts.retainOnDelete,
        customTimeouts: custom.customTimeouts,
        dependsOn: dependsOn.map((r) => seen.get(r) ?? "a resource outside the component"),
      };
    },
  };
}
