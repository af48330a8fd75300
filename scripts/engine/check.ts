// npm run test:engine [-- --kubeconfig FILE [--context NAME]]
//
// Every stack through the real Pulumi engine and Kubernetes provider, with
// the CLI and plugins this machine has (scripts/engine/preflight.ts): create,
// a no-change preview, then a config change, a token change and an image
// change, each previewed (what is replaced, what is updated) and applied,
// always with the policy pack (policy/); then a deliberately broken copy of
// the program must fail its preview on the pack's rule.
// Without --kubeconfig the provider renders YAML (goapi:renderYamlTo), so no
// cluster is needed; with it, the objects go to that cluster and the check
// also watches that the Deployment keeps its identity and its ready pods.
// State, rendered files and a copy of the project live in a temp folder.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { readPreviewOutput } from "../../report/preview-output";
import { cliConfig, projectRoot } from "../stack-config";
import { findEngine, type Engine } from "./preflight";
import { changes, parsePreview, type Preview } from "./preview";

const run = promisify(execFile);

/** Warnings that come with what the check does, not with a fault of the program. */
const inherentWarnings = [
  // Render mode writes the Secret's data into a file: that is what rendering means.
  /rendered YAML will contain a secret value in plaintext/,
  // Render mode has no cluster to ask whether the migration Job is ready (its pulumi.com/replaceUnready).
  /Cluster is unreachable, skipping replaceUnready check/,
];

interface ClusterTarget {
  kubeconfig: string;
  context: string;
  kubectl: string;
}

interface Context {
  engine: Engine;
  env: NodeJS.ProcessEnv;
  project: string;
  work: string;
  cluster?: ClusterTarget;
  timings: { stack: string; step: string; seconds: number }[];
}

class CheckFailed extends Error {}

/** Every preview and up runs the pack: a mandatory violation fails them. */
const policyPack = ["--policy-pack", "policy"];

async function pulumi(ctx: Context, stack: string | undefined, args: string[], step?: string): Promise<string> {
  const full = stack === undefined ? args : [...args, "--stack", stack];
  const started = process.hrtime.bigint();
  try {
    const { stdout } = await run(ctx.engine.cli, full, { cwd: ctx.project, env: ctx.env, maxBuffer: 64 * 2 ** 20 });
    if (step !== undefined && stack !== undefined) {
      ctx.timings.push({ stack, step, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    }
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    throw new CheckFailed(`pulumi ${full.join(" ")} failed:\n${err.stdout ?? ""}${err.stderr ?? ""}`);
  }
}

async function preview(ctx: Context, stack: string, step: string): Promise<Preview> {
  // --json exits non-zero on errors and prints them in the document itself.
  const p = parsePreview(await pulumi(ctx, stack, ["preview", "--json", ...policyPack], step));
  const unexpected = p.diagnostics.filter(
    (d) => (d.severity === "warning" || d.severity === "error") && !inherentWarnings.some((w) => w.test(d.message)),
  );
  if (unexpected.length > 0) {
    throw new CheckFailed(`${stack}: ${step}: unexpected diagnostics:\n${unexpected.map((d) => `  ${d.severity}: ${d.message}`).join("\n")}`);
  }
  return p;
}

function expectChanges(stack: string, step: string, p: Preview, want: string[]): void {
  const got = changes(p);
  if (JSON.stringify(got) !== JSON.stringify([...want].sort())) {
    throw new CheckFailed(`${stack}: ${step}: expected\n  ${[...want].sort().join("\n  ")}\nbut the preview has\n  ${got.join("\n  ")}`);
  }
  console.log(`  ${step}: ${got.length === 0 ? "no changes" : got.join(", ")}`);
}

async function kubectl(c: ClusterTarget, args: string[]): Promise<string> {
  const { stdout } = await run(c.kubectl, ["--kubeconfig", c.kubeconfig, "--context", c.context, ...args]);
  return stdout.trim();
}

/**
 * A cluster without a volume provisioner (the loopback plane) never binds the
 * claim of a database in the cluster: for a stack file with
 * goapi:database.inCluster, a PersistentVolume bound in advance to the claim
 * the Postgres StatefulSet goapi-db makes (template "data", ordinal 0), as a
 * provisioner would. A cluster that has one ignores it. Returns its name.
 */
async function provideVolume(ctx: Context, c: ClusterTarget, stack: string, namespace: string): Promise<string | undefined> {
  const { config } = cliConfig(path.join(ctx.project, `Pulumi.${stack}.yaml`));
  const database = JSON.parse(config["goapi:database"] ?? "{}") as { inCluster?: { storage?: string } };
  if (database.inCluster === undefined) {
    return undefined;
  }
  const claim = "data-goapi-db-0";
  const name = `goapi-engine-check-${namespace}-${claim}`;
  const volume = {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name },
    spec: {
      capacity: { storage: database.inCluster.storage ?? "1Gi" },
      accessModes: ["ReadWriteOnce"],
      storageClassName: "",
      persistentVolumeReclaimPolicy: "Retain",
      claimRef: { namespace, name: claim },
      hostPath: { path: `/var/lib/goapi-engine-check/${namespace}/${claim}` },
    },
  };
  const file = path.join(ctx.work, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(volume));
  await kubectl(c, ["apply", "--filename", file]);
  console.log(`  volume: PersistentVolume ${name} bound in advance to ${namespace}/${claim}`);
  return name;
}

/**
 * While `during` runs: reports the fewest ready endpoints of the Service seen
 * (polled), and publishes an address in the Ingress status, as an ingress
 * controller would, so that Pulumi's wait for the Ingress can end.
 */
async function watchService<T>(c: ClusterTarget, namespace: string, during: Promise<T>): Promise<{ result: T; fewestReady: number; samples: number }> {
  let done = false;
  let fewestReady = Number.POSITIVE_INFINITY;
  let samples = 0;
  const poll = async () => {
    while (!done) {
      const slices = await kubectl(c, ["-n", namespace, "get", "endpointslices", "-l", "kubernetes.io/service-name=goapi", "-o", "json"]).catch(() => "");
      if (slices !== "") {
        const items = (JSON.parse(slices) as { items: { endpoints?: { conditions?: { ready?: boolean } }[] }[] }).items;
        const ready = items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready === true).length;
        fewestReady = Math.min(fewestReady, ready);
        samples++;
      }
      await kubectl(c, [
        "-n", namespace, "patch", "ingress", "goapi", "--subresource=status", "--type=merge",
        "-p", JSON.stringify({ status: { loadBalancer: { ingress: [{ ip: "127.0.0.1" }] } } }),
      ]).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const polling = poll();
  try {
    const result = await during;
    return { result, fewestReady, samples };
  } finally {
    done = true;
    await polling;
  }
}

async function deploymentUid(c: ClusterTarget, namespace: string): Promise<string> {
  return kubectl(c, ["-n", namespace, "get", "deployment", "goapi", "-o", "jsonpath={.metadata.uid}"]);
}

/** `pulumi up`; against a cluster also checks the Deployment kept its uid and never had zero ready pods. */
async function up(ctx: Context, stack: string, step: string, namespace: string, rolling: boolean): Promise<void> {
  const apply = pulumi(ctx, stack, ["up", "--yes", "--skip-preview", ...policyPack], `up: ${step}`);
  const c = ctx.cluster;
  if (c === undefined) {
    await apply;
    return;
  }
  const before = rolling ? await deploymentUid(c, namespace) : "";
  const { fewestReady, samples } = await watchService(c, namespace, apply);
  if (!rolling) {
    return;
  }
  const after = await deploymentUid(c, namespace);
  if (after !== before) {
    throw new CheckFailed(`${stack}: ${step}: the Deployment was replaced (uid ${before} -> ${after})`);
  }
  if (fewestReady < 1) {
    throw new CheckFailed(`${stack}: ${step}: the Service had no ready endpoint at some point (${samples} samples)`);
  }
  console.log(`  ${step}: Deployment kept uid ${after}; fewest ready endpoints seen: ${fewestReady} (${samples} samples)`);
}

const digest = (seed: string) => `sha256:${createHash("sha256").update(seed).digest("hex")}`;

const readyPods = async (c: ClusterTarget, namespace: string) =>
  Number(await kubectl(c, ["-n", namespace, "get", "deployment", "goapi", "-o", "jsonpath={.status.readyReplicas}"]));

/**
 * The first rollout reached the HPA's minimum; then the count is scaled the
 * way the HPA does it (the scale subresource, another field manager), and the
 * later changes must neither conflict with it nor reset it.
 */
async function firstRollout(c: ClusterTarget, stack: string, namespace: string): Promise<void> {
  const min = Number(await kubectl(c, ["-n", namespace, "get", "hpa", "goapi", "-o", "jsonpath={.spec.minReplicas}"]));
  const ready = await readyPods(c, namespace);
  if (ready !== min) {
    throw new CheckFailed(`${stack}: after the first up ${ready} pods are ready, the HPA's minimum is ${min}`);
  }
  await kubectl(c, ["-n", namespace, "scale", "deployment", "goapi", `--replicas=${min + 1}`]);
  console.log(`  first rollout: ${ready} ready pods (the HPA's minimum); scaled to ${min + 1} through the scale subresource`);
}

/** Scaled pods survived the changes; createNamespace: false removes the Namespace from the stack only. */
async function keepsNamespace(ctx: Context, c: ClusterTarget, stack: string, namespace: string): Promise<void> {
  const min = Number(await kubectl(c, ["-n", namespace, "get", "hpa", "goapi", "-o", "jsonpath={.spec.minReplicas}"]));
  const replicas = Number(await kubectl(c, ["-n", namespace, "get", "deployment", "goapi", "-o", "jsonpath={.spec.replicas}"]));
  if (replicas !== min + 1) {
    throw new CheckFailed(`${stack}: the changes reset the scaled Deployment to ${replicas} replicas (scaled to ${min + 1})`);
  }
  console.log(`  the changes kept the scaled count: ${replicas} replicas`);
  await pulumi(ctx, stack, ["config", "set", "goapi:createNamespace", "false"]);
  expectChanges(stack, "createNamespace: false", await preview(ctx, stack, "preview: createNamespace false"), ["delete kubernetes:core/v1:Namespace"]);
  await up(ctx, stack, "createNamespace false", namespace, false);
  const left = await Promise.all([
    kubectl(c, ["get", `namespace/${namespace}`, "-o", "name"]).catch(() => ""),
    kubectl(c, ["-n", namespace, "get", "deployment/goapi", "-o", "name"]).catch(() => ""),
  ]);
  if (left.includes("")) {
    throw new CheckFailed(`${stack}: after createNamespace: false the cluster has only: ${left.filter(Boolean).join(", ") || "nothing"}`);
  }
  console.log(`  createNamespace: false: the Namespace left the stack and stays in the cluster with the Deployment`);
}

/**
 * The pack loads in the engine and stops a preview: the Deployment of the
 * copy loses its ignoreChanges on spec.replicas, so every update would reset
 * the HPA's count. The preview must fail with hpa-owns-replicas, read as the
 * pull-request report reads it (the event stream).
 */
async function policyRefusesBrokenProgram(ctx: Context, stack: string): Promise<void> {
  const file = path.join(ctx.project, "components", "api-service.ts");
  const good = fs.readFileSync(file, "utf8");
  const owned = 'ignoreChanges: ["spec.replicas"], ';
  if (!good.includes(owned)) {
    throw new CheckFailed(`cannot break the program for the policy check: ${owned} is not in components/api-service.ts`);
  }
  fs.writeFileSync(file, good.replace(owned, ""));
  let out: string;
  try {
    const args = ["preview", "--json", "--color", "never", ...policyPack, "--stack", stack];
    const env = { ...ctx.env, PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "true" };
    out = await run(ctx.engine.cli, args, { cwd: ctx.project, env, maxBuffer: 64 * 2 ** 20 }).then(
      () => "",
      (e: unknown) => (e as { stdout?: string }).stdout ?? "",
    );
  } finally {
    fs.writeFileSync(file, good);
  }
  if (out === "") {
    throw new CheckFailed(`${stack}: a Deployment without ignoreChanges on spec.replicas previewed without error (or printed nothing)`);
  }
  const found = readPreviewOutput(out).policy?.violations.filter((v) => v.policy === "hpa-owns-replicas" && v.mandatory) ?? [];
  if (found.length === 0) {
    throw new CheckFailed(`${stack}: the preview of a Deployment without ignoreChanges on spec.replicas failed, but not on hpa-owns-replicas`);
  }
  console.log(`  policy: the broken copy failed its preview: hpa-owns-replicas: ${found.map((v) => v.message).join("; ")}`);
}

async function checkStack(ctx: Context, stack: string): Promise<void> {
  console.log(`== ${stack}`);
  const namespace = ctx.cluster ? `goapi-engine-${stack}` : "goapi";
  const set = (key: string, value: string, secret = false) =>
    pulumi(ctx, stack, ["config", "set", "--path", ...(secret ? ["--secret"] : []), key, value]);

  await pulumi(ctx, undefined, ["stack", "init", stack]);
  // A prebuilt image, a set token and database password: the check needs neither Docker nor the random provider.
  await set("goapi:image.ref", `registry.example.test/goapi@${digest("first")}`);
  await set("goapi:apiToken", "engine-check-token-number-one", true);
  await set("goapi:databasePassword", "engine-check-database-password", true);
  if (ctx.cluster) {
    await set("goapi:kubeconfig", ctx.cluster.kubeconfig);
    await set("goapi:kubeContext", ctx.cluster.context);
    await set("goapi:namespace", namespace);
  } else {
    await set("goapi:renderYamlTo", path.join(ctx.work, "render", stack));
  }

  const created = await preview(ctx, stack, "preview: create");
  const ops = new Set(created.steps.filter((s) => s.op !== "same").map((s) => s.op));
  if ([...ops].some((op) => op !== "create")) {
    throw new CheckFailed(`${stack}: the first preview does more than create: ${changes(created).join(", ")}`);
  }
  console.log(`  preview: create ${created.steps.filter((s) => s.op === "create").length} resources`);
  const volume = ctx.cluster ? await provideVolume(ctx, ctx.cluster, stack, namespace) : undefined;
  await up(ctx, stack, "create", namespace, false);
  expectChanges(stack, "no-change preview", await preview(ctx, stack, "preview: no change"), []);
  // Before the count is scaled: afterwards, against a cluster, the broken copy's
  // preview stops on the server-side apply conflict over spec.replicas (the
  // very thing the rule prevents) before the pack reports.
  await policyRefusesBrokenProgram(ctx, stack);
  if (ctx.cluster) {
    await firstRollout(ctx.cluster, stack, namespace);
  }

  const configMap = "kubernetes:core/v1:ConfigMap";
  const secret = "kubernetes:core/v1:Secret";
  const deployment = "kubernetes:apps/v1:Deployment";
  const job = "kubernetes:batch/v1:Job";

  await set("goapi:app.logLevel", "warn");
  expectChanges(stack, "config change", await preview(ctx, stack, "preview: config change"), [`replace ${configMap}`, `update ${deployment}`]);
  await up(ctx, stack, "config change", namespace, true);

  await set("goapi:apiToken", "engine-check-token-number-two", true);
  expectChanges(stack, "token change", await preview(ctx, stack, "preview: token change"), [`replace ${secret}`, `update ${deployment}`]);
  await up(ctx, stack, "token change", namespace, true);

  await set("goapi:image.ref", `registry.example.test/goapi@${digest("second")}`);
  // A new image migrates first: a new Job (its template cannot change in place), then the Deployment.
  expectChanges(stack, "image change", await preview(ctx, stack, "preview: image change"), [`replace ${job}`, `update ${deployment}`]);
  await up(ctx, stack, "image change", namespace, true);

  await pulumi(ctx, stack, ["preview", "--expect-no-changes", ...policyPack], "preview: expect no changes");
  console.log("  preview --expect-no-changes: passed");

  if (ctx.cluster) {
    await keepsNamespace(ctx, ctx.cluster, stack, namespace);
  }
  if (ctx.cluster && volume !== undefined) {
    // Released once its claim goes with the namespace; removed then.
    await kubectl(ctx.cluster, ["delete", "persistentvolume", volume, "--wait=false"]);
  }

  if (!ctx.cluster) {
    const rendered = path.join(ctx.work, "render", stack, "1-manifest");
    const files = fs.readdirSync(rendered).map((f) => path.join(rendered, f));
    // kube-score exits non-zero when it finds something; its findings are on stdout either way.
    const { stdout } = await run(path.join(projectRoot, ".tools", "bin", "kube-score"), ["score", "--output-format", "ci", ...files]).catch(
      (e: unknown) => ({ stdout: (e as { stdout?: string }).stdout ?? "" }),
    );
    const findings = stdout.split("\n").filter((l) => /^\[(CRITICAL|WARNING)\]/.test(l));
    if (findings.length > 0) {
      throw new CheckFailed(`${stack}: kube-score on the rendered manifests:\n${findings.join("\n")}`);
    }
    console.log(`  kube-score over ${files.length} rendered manifests: no findings`);
  }
}

function copyProject(work: string): string {
  const project = path.join(work, "project");
  fs.mkdirSync(project);
  for (const entry of fs.readdirSync(projectRoot)) {
    if (/^(Pulumi\..*yaml|index\.ts|package\.json|tsconfig.*\.json)$/.test(entry) || entry === "components" || entry === "policy") {
      fs.cpSync(path.join(projectRoot, entry), path.join(project, entry), { recursive: true });
    }
  }
  fs.symlinkSync(path.join(projectRoot, "node_modules"), path.join(project, "node_modules"));
  return project;
}

function parseArgs(args: string[]): { kubeconfig?: string; context?: string; stacks: string[] } {
  const out: { kubeconfig?: string; context?: string; stacks: string[] } = { stacks: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--kubeconfig" || a === "--context") {
      const v = args[++i];
      if (v === undefined) {
        throw new CheckFailed(`${a} needs a value`);
      }
      out[a === "--kubeconfig" ? "kubeconfig" : "context"] = v;
    } else if (a !== undefined) {
      out.stacks.push(a);
    }
  }
  return out;
}

function findKubectl(): string | undefined {
  const bundled = path.join(projectRoot, ".tools", "cluster", "bin", "kubectl");
  if (fs.existsSync(bundled)) {
    return bundled;
  }
  return (process.env.PATH ?? "").split(path.delimiter).map((d) => path.join(d, "kubectl")).find((f) => fs.existsSync(f));
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const found = findEngine();
  const missing = "missing" in found ? [...found.missing] : [];
  if (!fs.existsSync(path.join(projectRoot, ".tools", "bin", "kube-score"))) {
    missing.push("kube-score: run npm run tools");
  }
  const kubectlPath = args.kubeconfig === undefined ? undefined : findKubectl();
  if (args.kubeconfig !== undefined && kubectlPath === undefined) {
    missing.push("kubectl (to watch the cluster): run npm run cluster:up, which builds it, or install it");
  }
  if ("missing" in found || missing.length > 0) {
    for (const m of missing) {
      console.error(`engine-check: missing: ${m}`);
    }
    console.error("engine-check: NOT RUN (nothing was changed); docs/testing.md says how to get the pieces");
    return 1;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-engine-"));
  const ctx: Context = {
    engine: found,
    work,
    project: copyProject(work),
    env: {
      ...process.env,
      PATH: found.path,
      PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "engine-check",
      PULUMI_SKIP_UPDATE_CHECK: "true",
    },
    cluster:
      args.kubeconfig === undefined || kubectlPath === undefined
        ? undefined
        : { kubeconfig: path.resolve(args.kubeconfig), context: args.context ?? "goapi-test", kubectl: kubectlPath },
    timings: [],
  };
  fs.mkdirSync(path.join(work, "state"));
  const version = (await pulumi(ctx, undefined, ["version"])).trim();
  console.log(`engine-check: pulumi ${version} (${found.cli}), kubernetes provider v${found.versions.kubernetes}, ${ctx.cluster ? `cluster ${ctx.cluster.context} in ${ctx.cluster.kubeconfig}` : "render mode"}`);
  try {
    for (const stack of args.stacks.length > 0 ? args.stacks : ["local", "dev", "prod"]) {
      await checkStack(ctx, stack);
    }
  } catch (e) {
    if (e instanceof CheckFailed) {
      console.error(`engine-check: FAILED: ${e.message}`);
      console.error(`engine-check: state and files kept in ${work}`);
      return 1;
    }
    throw e;
  }
  console.log("\nseconds per step:");
  for (const t of ctx.timings) {
    console.log(`  ${t.stack.padEnd(6)} ${t.step.padEnd(28)} ${t.seconds.toFixed(1)}`);
  }
  fs.rmSync(work, { recursive: true, force: true });
  console.log("engine-check: every stack created, changed without replacing its Deployment, and stable");
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
