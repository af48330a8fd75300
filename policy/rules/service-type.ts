// Traffic enters through the Ingress, where TLS, host routing and the
// NetworkPolicy's controller namespace apply. A LoadBalancer or NodePort
// Service opens a second door around all three (and a LoadBalancer costs money
// in every cloud).
import { kindOf, specOf } from "./kubernetes";
import type { ResourceRule, Subject } from "./rule";

export const noLoadBalancerService: ResourceRule = {
  name: "no-loadbalancer-service",
  description: "Services are ClusterIP (or headless): no LoadBalancer or NodePort that bypasses the Ingress.",
  enforcementLevel: "mandatory",
  scope: "resource",
  check(s: Subject): string[] {
    if (kindOf(s.type) !== "Service") {
      return [];
    }
    const type = specOf(s.props).type;
    return type === "LoadBalancer" || type === "NodePort"
      ? [`spec.type is ${type}: expose the API through the Ingress and keep the Service ClusterIP`]
      : [];
  },
};
