// SchemaMigration: `/api migrate` as a Kubernetes Job from the image the
// Deployment is about to roll out, and the NetworkPolicy that lets it reach
// only the database and DNS. ApiService makes its Deployment depend on it, so
// the provider's wait for the Job to complete comes before any pod rolls, and
// a failed migration fails `pulumi up` with nothing rolled.
//
// How the Kubernetes provider waits for a Job (its Job checker, as of
// v4.32.0): until .status.conditions has Complete=True; it fails at once on
// Failed=True only with the reason BackoffLimitExceeded or DeadlineExceeded
// (with the pods' container statuses in the error), and otherwise at its
// timeout. So the Job fails only in those two ways: no podFailurePolicy
// FailJob rule, whose reason (PodFailurePolicy) the provider would wait out.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appUid, commands, databaseUrlEnv } from "./app-contract";
import { dnsEgress } from "./egress";
import type { Labels } from "./labels";
import { restrictedContainerSecurity, restrictedPodSecurity } from "./pod";

type EgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;

/**
 * Attempts after the first when the migration fails (a database that did not
 * answer, say). Bad configuration (exit 2) fails each attempt within seconds,
 * so it ends in BackoffLimitExceeded quickly too.
 */
const migrationRetries = 2;

/** The whole Job, retries included, must end within this. */
const migrationDeadlineSeconds = 300;

/**
 * How long `pulumi up` waits for the Job: longer than its deadline, so a
 * stuck migration fails with the Job's own DeadlineExceeded condition rather
 * than a bare timeout of the wait. (The provider's Job wait, as of v4.32.0,
 * restarts this timeout on every event it sees, so the deadline is what
 * really bounds it; docs/testing.md.)
 */
const providerWait = `${migrationDeadlineSeconds + 60}s`;

export interface SchemaMigrationArgs {
  /** The image the Deployment runs, pinned by digest. */
  image: pulumi.Input<string>;
  namespace: pulumi.Input<string>;
  labels: Labels;
  serviceAccountName: pulumi.Input<string>;
  /** The Secret that holds DATABASE_URL (the Job reads no other key). */
  databaseSecretName: pulumi.Input<string>;
  /** How to reach the database's port (egress.ts). */
  databaseEgress: EgressRule;
  /** What must be ready before the Job starts (an in-cluster database). */
  waitFor: pulumi.Resource[];
}

export class SchemaMigration extends pulumi.ComponentResource {
  public readonly jobName: pulumi.Output<string>;

  constructor(name: string, args: SchemaMigrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("goapi:index:SchemaMigration", name, {}, opts);
    const child = { parent: this };
    const container = "migrate";

    // Auto-named: a new image or a new DATABASE_URL changes the pod template,
    // which a Job cannot change in place, so the provider creates a new Job
    // (and waits for it) before anything that depends on it, and deletes the
    // old one at the end of the update.
    const job = new k8s.batch.v1.Job(
      name,
      {
        metadata: {
          namespace: args.namespace,
          labels: args.labels.all,
          annotations: {
            // A Job that failed in an earlier `pulumi up` is replaced (run
            // again) by the next one instead of being waited on forever.
            "pulumi.com/replaceUnready": "true",
            // The image is pinned by digest, so IfNotPresent always runs the intended image.
            "kube-score/ignore": "container-image-pull-policy",
          },
        },
        spec: {
          backoffLimit: migrationRetries,
          activeDeadlineSeconds: migrationDeadlineSeconds,
          // No ttlSecondsAfterFinished: the Job is Pulumi's to delete (with its
          // pods) when the next image replaces it. Removed behind Pulumi's back,
          // it would be re-created by the next refresh and up.
          podFailurePolicy: {
            // A pod evicted or preempted did not fail the migration.
            rules: [{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] }],
          },
          template: {
            metadata: { labels: args.labels.all },
            spec: {
              restartPolicy: "Never",
              serviceAccountName: args.serviceAccountName,
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              securityContext: restrictedPodSecurity(appUid),
              containers: [
                {
                  name: container,
                  image: args.image,
                  imagePullPolicy: "IfNotPresent",
                  args: [...commands.migrate],
                  env: [{ name: databaseUrlEnv, valueFrom: { secretKeyRef: { name: args.databaseSecretName, key: databaseUrlEnv } } }],
                  // A failed run's last log lines ("migration failed" and why) become the
                  // container's termination message, which the provider's pod check reports.
                  terminationMessagePolicy: "FallbackToLogsOnError",
                  resources: {
                    requests: { cpu: "50m", memory: "32Mi", "ephemeral-storage": "16Mi" },
                    limits: { cpu: "500m", memory: "128Mi", "ephemeral-storage": "64Mi" },
                  },
                  securityContext: restrictedContainerSecurity(appUid),
                },
              ],
            },
          },
        },
      },
      { ...child, dependsOn: args.waitFor, customTimeouts: { create: providerWait, update: providerWait } },
    );

    new k8s.networking.v1.NetworkPolicy(
      name,
      {
        metadata: { name, namespace: args.namespace, labels: args.labels.all },
        spec: {
          podSelector: { matchLabels: args.labels.selector },
          policyTypes: ["Ingress", "Egress"],
          ingress: [],
          egress: [dnsEgress, args.databaseEgress],
        },
      },
      child,
    );

    this.jobName = job.metadata.name;
    this.registerOutputs({ jobName: this.jobName });
  }
}
