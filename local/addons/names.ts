// Names the local cluster, its registry and the stack must agree on; the
// scripts read the same values from scripts/lib/local.sh (a test compares them).
export const localNames = {
  cluster: "goapi",
  registry: "localhost:5001",
  ingressClass: "traefik",
  ingressNamespace: "traefik",
  host: "goapi.localhost",
  /** kube-prometheus-stack: Prometheus, Alertmanager, Grafana; the stack's goapi:metricsNamespace. */
  monitoringNamespace: "monitoring",
  /** The OpenTelemetry Collector and the trace viewer (Jaeger); the stack's tracing collector. */
  tracingNamespace: "observability",
  /** The collector's Service, which the stack's OTEL_EXPORTER_OTLP_ENDPOINT names (OTLP/HTTP on 4318). */
  collectorService: "otel-collector",
  /** Traefik's Gateway (Gateway API), which a canary stack's route attaches to: goapi:delivery.canary.gateway's default. */
  gatewayName: "traefik-gateway",
  /** Flagger (canary releases) and KEDA (scaling on the request rate). */
  deliveryNamespace: "delivery",
  grafanaHost: "grafana.localhost",
  tracesHost: "traces.localhost",
} as const;
