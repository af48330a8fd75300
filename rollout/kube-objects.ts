// The parts of the Pod and Event objects that explain a failed rollout, as
// `kubectl get -o json` prints them; everything else passes through unchecked.
import { z } from "zod";

const terminated = z.looseObject({
  exitCode: z.number(),
  reason: z.string().optional(),
  message: z.string().optional(),
  signal: z.number().optional(),
});

const containerStatus = z.looseObject({
  name: z.string(),
  ready: z.boolean(),
  restartCount: z.number(),
  image: z.string().optional(),
  state: z
    .looseObject({
      waiting: z.looseObject({ reason: z.string().optional(), message: z.string().optional() }).optional(),
      running: z.looseObject({ startedAt: z.string().optional() }).optional(),
      terminated: terminated.optional(),
    })
    .optional(),
  lastState: z.looseObject({ terminated: terminated.optional() }).optional(),
});

const ownerReference = z.looseObject({ kind: z.string(), name: z.string() });

export const pod = z.looseObject({
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    creationTimestamp: z.string().optional(),
    deletionTimestamp: z.string().optional(),
    ownerReferences: z.array(ownerReference).optional(),
  }),
  status: z
    .looseObject({
      phase: z.string().optional(),
      reason: z.string().optional(),
      message: z.string().optional(),
      conditions: z.array(z.looseObject({ type: z.string(), status: z.string(), reason: z.string().optional(), message: z.string().optional() })).optional(),
      initContainerStatuses: z.array(containerStatus).optional(),
      containerStatuses: z.array(containerStatus).optional(),
    })
    .optional(),
});

export const event = z.looseObject({
  type: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  count: z.number().nullish(),
  lastTimestamp: z.string().nullish(),
  eventTime: z.string().nullish(),
  firstTimestamp: z.string().nullish(),
  series: z.looseObject({ count: z.number().optional(), lastObservedTime: z.string().optional() }).nullish(),
});

export const podList = z.looseObject({ items: z.array(pod) });
export const eventList = z.looseObject({ items: z.array(event) });

export type Pod = z.infer<typeof pod>;
export type ContainerStatus = z.infer<typeof containerStatus>;
export type Terminated = z.infer<typeof terminated>;
export type KubeEvent = z.infer<typeof event>;
