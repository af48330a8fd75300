// A pod that never calls the Kubernetes API should not carry a credential
// for it: a compromised process would get the service account's rights.
import { podSpecOf } from "./kubernetes";
import type { ResourceRule, Subject } from "./rule";

export const noServiceAccountToken: ResourceRule = {
  name: "no-service-account-token",
  description: "Pods do not mount a service account token unless they set automountServiceAccountToken explicitly.",
  enforcementLevel: "advisory",
  scope: "resource",
  check(s: Subject): string[] {
    const pod = podSpecOf(s.type, s.props);
    return pod && pod.automountServiceAccountToken === undefined
      ? ["automountServiceAccountToken is unset (the default mounts a token): set it to false, or to true if the pod calls the Kubernetes API"]
      : [];
  },
};
