// The Prometheus Operator's custom resources the program declares, typed
// with the operator's CRD schema (@kubernetes-models/prometheus-operator, the
// same generated models the tests validate them with), so a misspelt field
// fails `tsc` instead of the API server.
import type { IPrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import type { IServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { customResourceKind } from "./custom-resource";

export const monitoringApiVersion = "monitoring.coreos.com/v1";

export type ServiceMonitorSpec = IServiceMonitor["spec"];
export type PrometheusRuleSpec = IPrometheusRule["spec"];
export type RuleGroup = NonNullable<PrometheusRuleSpec["groups"]>[number];
export type Rule = NonNullable<RuleGroup["rules"]>[number];

/** The API kinds these resources need, as Helm's Capabilities names them. */
export const monitoringKinds = [`${monitoringApiVersion}/ServiceMonitor`, `${monitoringApiVersion}/PrometheusRule`] as const;

/** Tells Prometheus which Service's endpoints to scrape. */
export const ServiceMonitor = customResourceKind<ServiceMonitorSpec>(monitoringApiVersion, "ServiceMonitor");

/** Alerting (and recording) rules that Prometheus loads. */
export const PrometheusRule = customResourceKind<PrometheusRuleSpec>(monitoringApiVersion, "PrometheusRule");
