// Images are pinned by digest: a tag can be moved under a running Deployment,
// a digest cannot, and a new digest is what rolls the pods.
import { digestRef } from "../../components/names";
import { containerLabel, containersOf, podSpecOf } from "./kubernetes";
import type { ResourceRule, Subject } from "./rule";

export const imagePinnedByDigest: ResourceRule = {
  name: "image-pinned-by-digest",
  description: "Every container image is pinned by digest (repository@sha256:<64 hex>), never by a mutable tag.",
  enforcementLevel: "mandatory",
  scope: "resource",
  check(s: Subject): string[] {
    const pod = podSpecOf(s.type, s.props);
    return containersOf(pod ?? {})
      .filter((c) => !digestRef.test(c.image ?? ""))
      .map((c) => `${containerLabel(c)}: image "${c.image ?? ""}" is not pinned by digest (<repository>@sha256:<64 hex>)`);
  },
};
