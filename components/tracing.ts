// Where a stack's pods send their traces, from goapi:observability.tracing:
// the collector's endpoint, the sampling ratio, the service's name and the
// attributes every span's resource carries (the stack, and the version the
// image was built as; the app reports its own build's version otherwise).
import type { ApiTracing } from "./api-service";
import { collectorPort } from "./observability-settings";
import type { Settings } from "./settings";

/** service.name of the API's spans. */
export const tracedServiceName = "goapi";

export function tracingOf(settings: Pick<Settings, "stack" | "observability">, version?: string): ApiTracing | undefined {
  const t = settings.observability.tracing;
  if (t === undefined) {
    return undefined;
  }
  const c = t.collector;
  if (c === undefined) {
    throw new Error("settings.ts lets no tracing endpoint without its collector through");
  }
  const port = collectorPort(t.endpoint);
  return {
    endpoint: t.endpoint,
    sampleRatio: t.sampleRatio,
    serviceName: tracedServiceName,
    attributes: { "deployment.environment.name": settings.stack, ...(version === undefined ? {} : { "service.version": version }) },
    collector: c.cidrs !== undefined ? { port, cidrs: c.cidrs } : { port, namespace: c.namespace ?? "", podLabels: c.podLabels },
  };
}
