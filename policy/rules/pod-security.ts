// Pods meet Pod Security "restricted" and keep the root file system read-only,
// so a compromised process has no root, no capabilities, nothing to escalate
// to and nowhere to write a payload. The namespace label enforces most of this
// in the cluster; this rule catches it before anything is applied.
import { containerLabel, containersOf, podSpecOf, SecurityContextView } from "./kubernetes";
import type { ResourceRule, Subject } from "./rule";

const allowedSeccomp = ["RuntimeDefault", "Localhost"];

/**
 * The pod's own securityContext: Pod Security refuses a forbidden value there
 * even when every container sets an allowed one of its own.
 */
function podProblems(pod: SecurityContextView): string[] {
  const problems: string[] = [];
  if (pod.runAsNonRoot === false) {
    problems.push("pod: runAsNonRoot must not be false");
  }
  if (pod.runAsUser === 0) {
    problems.push("pod: runAsUser must not be 0 (root)");
  }
  const seccomp = pod.seccompProfile?.type;
  if (seccomp !== undefined && !allowedSeccomp.includes(seccomp)) {
    problems.push(`pod: seccompProfile.type must be RuntimeDefault or Localhost, not ${seccomp}`);
  }
  return problems;
}

function containerProblems(pod: SecurityContextView, c: SecurityContextView, label: string): string[] {
  const problems: string[] = [];
  const runAsNonRoot = c.runAsNonRoot ?? pod.runAsNonRoot;
  if (runAsNonRoot !== true) {
    problems.push(`${label}: runAsNonRoot must be true (pod or container securityContext)`);
  }
  if (c.runAsUser === 0) {
    problems.push(`${label}: runAsUser must not be 0 (root)`);
  }
  if (c.privileged === true) {
    problems.push(`${label}: privileged must not be true`);
  }
  if (c.allowPrivilegeEscalation !== false) {
    problems.push(`${label}: allowPrivilegeEscalation must be false`);
  }
  if (!(c.capabilities?.drop ?? []).includes("ALL")) {
    problems.push(`${label}: capabilities.drop must include ALL`);
  }
  const added = (c.capabilities?.add ?? []).filter((cap) => cap !== "NET_BIND_SERVICE");
  if (added.length > 0) {
    problems.push(`${label}: capabilities.add may only hold NET_BIND_SERVICE, not ${added.join(", ")}`);
  }
  const seccomp = c.seccompProfile?.type ?? pod.seccompProfile?.type;
  if (seccomp === undefined || !allowedSeccomp.includes(seccomp)) {
    problems.push(`${label}: seccompProfile.type must be RuntimeDefault (pod or container securityContext)`);
  }
  if (c.readOnlyRootFilesystem !== true) {
    problems.push(`${label}: readOnlyRootFilesystem must be true`);
  }
  return problems;
}

export const podSecurityRestricted: ResourceRule = {
  name: "pod-security-restricted",
  description: "Pods run as non-root with no privilege escalation, all capabilities dropped, RuntimeDefault seccomp and a read-only root file system.",
  enforcementLevel: "mandatory",
  scope: "resource",
  check(s: Subject): string[] {
    const pod = podSpecOf(s.type, s.props);
    if (!pod) {
      return [];
    }
    const problems: string[] = [];
    for (const field of ["hostNetwork", "hostPID", "hostIPC"] as const) {
      if (pod[field] === true) {
        problems.push(`pod: ${field} must not be true`);
      }
    }
    const podContext = pod.securityContext ?? {};
    problems.push(...podProblems(podContext));
    for (const c of containersOf(pod)) {
      problems.push(...containerProblems(podContext, c.securityContext ?? {}, containerLabel(c)));
    }
    return problems;
  },
};
