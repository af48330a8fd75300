// The goapi:delivery settings: how a new release reaches the users. Rolling
// (the Deployment's own update) or canary (Flagger moves the traffic through
// the steps and rolls back on the thresholds; docs/delivery.md). The seeds'
// canary by default: 5 %, 20 %, then all traffic, rolled back when the P99
// goes above 800 ms or more than 1 % of the answers fail. settings.ts
// validates them with the other keys and picks the strategy by stack.
import { z } from "zod";
import { goDurationMilliseconds } from "./duration";
import { dnsLabel, hostName } from "./names";
import { largestLatencyBucketSeconds, scrapeIntervalSeconds } from "./observability-settings";

export const deliveryStrategies = ["rolling", "canary"] as const;
export type DeliveryStrategy = (typeof deliveryStrategies)[number];

/** The checks rate the pods' metrics over one interval: four scrapes at least, as the alerts' windows. */
export const shortestIntervalSeconds = 4 * scrapeIntervalSeconds;
/** Beyond an hour per step a release would take most of a day. */
export const longestIntervalSeconds = 3600;

/** A Go duration in whole seconds, minutes or hours, which Flagger parses with time.ParseDuration. */
const interval = z
  .string()
  .regex(/^([0-9]+(s|m|h))+$/, "must be a duration such as 30s, 1m or 1m30s")
  .refine((d) => (goDurationMilliseconds(d) ?? 0) >= shortestIntervalSeconds * 1000, {
    message: `must be at least ${shortestIntervalSeconds}s, four scrape intervals: each check rates the metrics over it`,
  })
  .refine((d) => (goDurationMilliseconds(d) ?? 0) <= longestIntervalSeconds * 1000, {
    message: `must be at most ${longestIntervalSeconds / 60}m: each step waits at least one interval`,
  });

/** A header name as the Gateway API matches it (an HTTP token). */
const headerName = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,256}$/;

const steps = z
  .array(z.int().min(1, "must be a percentage from 1 to 100").max(100, "must be a percentage from 1 to 100"))
  .min(2, "needs at least one step below 100 before the promotion at 100")
  .refine((s) => s.every((w, i) => i === 0 || w > (s[i - 1] ?? 0)), { message: "must rise at every step" })
  .refine((s) => s.length === 0 || s[s.length - 1] === 100, { message: "must end at 100: the promotion, when every request goes to the new version" });

const canarySchema = z.strictObject({
  /** The share of the public traffic the new version gets at each step; 100 promotes it. */
  steps: steps.default([5, 20, 100]),
  /** How often Flagger checks the metrics and moves to the next step. */
  interval: interval.default("1m"),
  /** Requests with this header go to the new version for the whole analysis. */
  internalUsers: z
    .strictObject({
      header: z.string().regex(headerName, "must be an HTTP header name such as X-Goapi-Canary"),
      value: z.string().min(1, "must not be empty").max(256, "must be at most 256 characters"),
    })
    .optional(),
  rollback: z
    .strictObject({
      /** The new pods' P99 latency above this rolls the release back. */
      p99Milliseconds: z
        .int()
        .min(1)
        .max(largestLatencyBucketSeconds * 1000 - 1, `must be below ${largestLatencyBucketSeconds * 1000}: the latency histogram's largest bucket ends at ${largestLatencyBucketSeconds}s`)
        .default(800),
      /** The share of the new pods' answers that are 5xx above this rolls the release back. */
      errorPercent: z.number().gt(0).lt(100, "must be below 100: no error rate could exceed it").default(1),
      /** Failed checks (of either metric) before the rollback; one bad interval is often noise. */
      failedChecks: z.int().min(1).max(20).default(2),
    })
    .prefault({}),
  /** The Gateway whose HTTPRoute Flagger writes: the ingress controller's (Traefik's) by default. */
  gateway: z
    .strictObject({
      name: z.string().regex(dnsLabel, "must be a Gateway name").default("traefik-gateway"),
      /** Unset: goapi:ingress.controllerNamespace. */
      namespace: z.string().regex(dnsLabel, "must be a namespace name").optional(),
      /**
       * The Gateway's listener (its sectionName) the routes attach to. Unset, they attach to every
       * listener of the Gateway, a plain-HTTP one included; with TLS it names the HTTPS listener.
       */
      listener: z.string().regex(hostName, "must be a listener name of the Gateway (its sectionName), such as websecure").optional(),
    })
    .prefault({}),
});

export const deliverySchema = z.strictObject({
  /** Unset: canary on production stacks, rolling on the others. */
  strategy: z.enum(deliveryStrategies, { error: `must be ${deliveryStrategies.join(" or ")}` }).optional(),
  canary: canarySchema.prefault({}),
});

export type DeliveryInput = z.output<typeof deliverySchema>;
export type CanarySettings = Omit<DeliveryInput["canary"], "gateway"> & { gateway: { name: string; namespace: string; listener?: string } };
export type Delivery = { strategy: "rolling" } | { strategy: "canary"; canary: CanarySettings };

/** The strategy a stack gets when it sets none. */
export function defaultStrategy(production: boolean): DeliveryStrategy {
  return production ? "canary" : "rolling";
}

/** The delivery settings with the stack's defaults applied. */
export function deliveryOf(d: DeliveryInput, production: boolean, ingressControllerNamespace: string): Delivery {
  const strategy = d.strategy ?? defaultStrategy(production);
  if (strategy === "rolling") {
    return { strategy };
  }
  const { gateway, ...canary } = d.canary;
  return { strategy, canary: { ...canary, gateway: { ...gateway, namespace: gateway.namespace ?? ingressControllerNamespace } } };
}
