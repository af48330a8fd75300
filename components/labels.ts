// The recommended app.kubernetes.io labels, and the one selector every
// workload, Service, PDB, HPA and NetworkPolicy of a set of pods uses.

export interface Labels {
  /** On every object. */
  all: Record<string, string>;
  /** Immutable subset that selects the pods; never add a changing value here. */
  selector: Record<string, string>;
}

export interface LabelArgs {
  /** The instance's own name (the Pulumi resource name), unique in the stack. */
  instance: string;
  stack: string;
  /** What the pods are within the application: api, migration, database. */
  component: string;
  /** The application the pods run (app.kubernetes.io/name); the instance's name by default. */
  app?: string;
}

/**
 * Pods of different instances never share a selector: the instance label
 * tells the API's pods from its migration Job's and its database's, so a
 * Service or a NetworkPolicy of one never picks up the others.
 */
export function labelsFor(a: LabelArgs): Labels {
  const selector = {
    "app.kubernetes.io/name": a.app ?? a.instance,
    "app.kubernetes.io/instance": `${a.instance}-${a.stack}`,
  };
  return {
    selector,
    all: {
      ...selector,
      "app.kubernetes.io/component": a.component,
      "app.kubernetes.io/part-of": "goapi",
      "app.kubernetes.io/managed-by": "pulumi",
    },
  };
}
