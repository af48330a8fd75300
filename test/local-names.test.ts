// The local cluster's names agree across the kind config, the scripts, the
// add-ons and Pulumi.local.yaml.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { localNames } from "../local/addons/names";
import { defaultPassphrase, localEnv, nodeKubectl } from "../scripts/dev/stack";
import { cliConfig, stackFilePath } from "../scripts/stack-config";
import { reveal } from "./helpers/values";
import { runAsSetUp } from "./helpers/user-setup";

const root = path.join(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");

const shellVars: Record<string, string | undefined> = {};
for (const [, name, value] of read("scripts/lib/local.sh").matchAll(/^(\w+)="?([^"\n]*)"?$/gm)) {
  if (name !== undefined) {
    shellVars[name] = value;
  }
}
const kind = parse(read("local/kind-config.yaml")) as {
  name: string;
  nodes: { extraPortMappings: { hostPort: number; containerPort: number }[] }[];
};
const { config } = cliConfig(stackFilePath("local"));
const image = JSON.parse(config["goapi:image"] ?? "{}") as { registry?: string; builder?: string };
const ingress = JSON.parse(config["goapi:ingress"] ?? "{}") as { host?: string; className?: string; controllerNamespace?: string };

describe("local names", () => {
  it("cluster name <-> kubeconfig context of both local stacks", () => {
    expect(kind.name).toBe(shellVars.cluster);
    expect(localNames.cluster).toBe(kind.name);
    expect(config["goapi:kubeContext"]).toBe(`kind-${kind.name}`);
    const addons = parse(read("local/addons/Pulumi.local.yaml")) as { config: Record<string, string> };
    expect(addons.config["goapi-local-addons:kubeContext"]).toBe(`kind-${kind.name}`);
  });

  it("registry host and port <-> image registry setting <-> add-on hint", () => {
    expect(shellVars.registry_port).toBe("5001");
    expect(image.registry).toBe(`localhost:${shellVars.registry_port ?? ""}`);
    expect(localNames.registry).toBe(image.registry);
  });

  it("the host-network builder local-up.sh makes <-> the builder the local stack builds with", () => {
    expect(image.builder).toBe(shellVars.builder);
  });

  it("ingress host and port <-> kind port mapping <-> the URL the script checks", () => {
    expect(ingress.host).toBe(shellVars.ingress_host);
    expect(localNames.host).toBe(ingress.host);
    expect(kind.nodes[0]?.extraPortMappings[0]?.hostPort).toBe(Number(shellVars.http_port));
    expect(ingress.className).toBe(localNames.ingressClass);
    expect(ingress.controllerNamespace).toBe(localNames.ingressNamespace);
  });

  it("local:dev opens the stack as local-up.sh leaves it: backend, passphrase, and the kubectl in the kind node", () => {
    const lib = read("scripts/lib/local.sh");
    expect(lib).toContain(`export PULUMI_CONFIG_PASSPHRASE=${defaultPassphrase}`);
    expect(lib).toContain('export PULUMI_BACKEND_URL="file://$state_dir"');
    expect(shellVars.state_dir).toBe("$repo_root/.pulumi");
    expect(localEnv("/r", {}).PULUMI_BACKEND_URL).toBe("file:///r/.pulumi");
    expect(lib).toContain("-- \\\n      docker exec \"$cluster-control-plane\" kubectl --kubeconfig=/etc/kubernetes/admin.conf");
    expect(nodeKubectl).toEqual(["docker", "exec", `${shellVars.cluster ?? ""}-control-plane`, "kubectl", "--kubeconfig=/etc/kubernetes/admin.conf"]);
  });

  it("the pods local-up.sh deletes by label <-> the local stack's database and API pods", async () => {
    const run = await runAsSetUp("local");
    const script = read("scripts/local-up.sh");
    expect(script).toContain('docker exec "$cluster-control-plane" kubectl');
    const selected = (component: string) =>
      run.declared
        .filter((d) => ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:batch/v1:Job"].includes(d.type))
        .filter((d) => (reveal(d.inputs) as { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template.metadata.labels["app.kubernetes.io/component"] === component)
        .map((d) => d.type.split(":")[2]);
    const components = [...script.matchAll(/delete pod --selector=app\.kubernetes\.io\/component=(\w+)/g)].map((m) => m[1] ?? "");
    expect(components.map((c) => [c, selected(c)])).toEqual([
      ["database", ["StatefulSet"]],
      ["api", ["Deployment"]],
    ]);
  });
});
