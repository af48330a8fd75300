// The rules we hold every stack to, in the order they are reported.
import { disruptionBudget } from "./disruption-budget";
import { explicitProvider } from "./explicit-provider";
import { hpaHasAlerts } from "./hpa-alerts";
import { hpaOwnsReplicas } from "./hpa-replicas";
import { imagePinnedByDigest } from "./image-digest";
import { namespaceEnforcesRestricted } from "./namespace-restricted";
import { podSecurityRestricted } from "./pod-security";
import { probesConfigured } from "./probes";
import { productionTls } from "./production-tls";
import { recommendedLabels } from "./recommended-labels";
import { requestsAndLimits } from "./resources";
import type { Rule } from "./rule";
import { noServiceAccountToken } from "./service-account-token";
import { noLoadBalancerService } from "./service-type";

export const rules: readonly Rule[] = [
  // mandatory
  podSecurityRestricted,
  imagePinnedByDigest,
  requestsAndLimits,
  explicitProvider,
  noLoadBalancerService,
  productionTls,
  hpaOwnsReplicas,
  namespaceEnforcesRestricted,
  hpaHasAlerts,
  // advisory
  disruptionBudget,
  probesConfigured,
  noServiceAccountToken,
  recommendedLabels,
];

export type { EnforcementLevel, ResourceRule, Rule, StackRule, Subject, Violation } from "./rule";
