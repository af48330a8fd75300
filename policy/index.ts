// The goapi policy pack: `pulumi preview --policy-pack policy`. Mandatory
// rules fail preview and up; advisory ones warn. See README.md.
import { PolicyPack } from "@pulumi/policy";
import { toPolicies } from "./adapter";
import { rules } from "./rules";

new PolicyPack("goapi", {
  description: "The rules every goapi stack is held to: restricted pods, digests, requests and limits, explicit providers, private Services, TLS in production.",
  policies: toPolicies(rules),
});
