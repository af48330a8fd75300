// The Prometheus Operator's custom resources the program declares, typed
// with the operator's CRD schema (@kubernetes-models/prometheus-operator, the
// same generated models the tests validate them with), so a misspelt field
// fails `tsc` instead of the API server.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { IPrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import type { IServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";

export const monitoringApiVersion = "monitoring.coreos.com/v1";

export type ServiceMonitorSpec = IServiceMonitor["spec"];
export type PrometheusRuleSpec = IPrometheusRule["spec"];
export type RuleGroup = NonNullable<PrometheusRuleSpec["groups"]>[number];
export type Rule = NonNullable<RuleGroup["rules"]>[number];

export interface CustomResourceArgs<Spec> {
  metadata: k8s.types.input.meta.v1.ObjectMeta;
  spec: Spec;
}

/** The API kinds these resources need, as Helm's Capabilities names them. */
export const monitoringKinds = [`${monitoringApiVersion}/ServiceMonitor`, `${monitoringApiVersion}/PrometheusRule`] as const;

/** Tells Prometheus which Service's endpoints to scrape. */
export class ServiceMonitor extends k8s.apiextensions.CustomResource {
  constructor(name: string, args: CustomResourceArgs<ServiceMonitorSpec>, opts?: pulumi.CustomResourceOptions) {
    super(name, { apiVersion: monitoringApiVersion, kind: "ServiceMonitor", metadata: args.metadata, spec: args.spec }, opts);
  }
}

/** Alerting (and recording) rules that Prometheus loads. */
export class PrometheusRule extends k8s.apiextensions.CustomResource {
  constructor(name: string, args: CustomResourceArgs<PrometheusRuleSpec>, opts?: pulumi.CustomResourceOptions) {
    super(name, { apiVersion: monitoringApiVersion, kind: "PrometheusRule", metadata: args.metadata, spec: args.spec }, opts);
  }
}
