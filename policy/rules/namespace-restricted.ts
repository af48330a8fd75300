// A namespace we create enforces Pod Security "restricted", so the cluster
// itself refuses a pod that slipped past review (kubectl run, a later edit).
import { kindOf, metadataOf } from "./kubernetes";
import type { ResourceRule, Subject } from "./rule";

export const namespaceEnforcesRestricted: ResourceRule = {
  name: "namespace-enforces-restricted",
  description: "Every Namespace the program creates enforces Pod Security \"restricted\".",
  enforcementLevel: "mandatory",
  scope: "resource",
  check(s: Subject): string[] {
    if (kindOf(s.type) !== "Namespace") {
      return [];
    }
    const level = metadataOf(s.props).labels?.["pod-security.kubernetes.io/enforce"];
    return level === "restricted" ? [] : [`label pod-security.kubernetes.io/enforce is ${level === undefined ? "missing" : `"${level}"`}: set it to "restricted"`];
  },
};
