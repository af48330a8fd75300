// The recommended app.kubernetes.io labels, and the one selector every
// workload, Service, PDB, HPA and NetworkPolicy uses.

export interface Labels {
  /** On every object. */
  all: Record<string, string>;
  /** Immutable subset that selects the pods; never add a changing value here. */
  selector: Record<string, string>;
}

export function labelsFor(name: string, stack: string): Labels {
  const selector = {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/instance": `${name}-${stack}`,
  };
  return {
    selector,
    all: {
      ...selector,
      "app.kubernetes.io/component": "api",
      "app.kubernetes.io/part-of": "goapi",
      "app.kubernetes.io/managed-by": "pulumi",
    },
  };
}
