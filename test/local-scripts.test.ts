// npm run local:up and local:down on a fake machine (helpers/local-world.ts):
// the ordinary paths, the token's way to curl, and the checkout left as it was.
import * as fs from "node:fs";
import * as path from "node:path";
import { changes, LocalWorld, type ScriptRun, stopLines, token } from "./helpers/local-world";

// One machine brought up once; each test works on a copy of it.
let up: LocalWorld;
let firstRun: ScriptRun;
const worlds: LocalWorld[] = [];
const copyOfUp = () => {
  const w = new LocalWorld(up);
  worlds.push(w);
  return w;
};
beforeAll(() => {
  up = new LocalWorld();
  worlds.push(up);
  firstRun = up.run("up");
});
afterAll(() => {
  for (const w of worlds) {
    w.dispose();
  }
});

const stack = (dir: string) => `--stack local --config-file <repo>/.pulumi/stack-config/${dir}/Pulumi.local.yaml`;
const addonsUp = `pulumi --cwd <repo>/local/addons up --yes --skip-preview --refresh ${stack("goapi-local-addons")}`;
const appUp = `pulumi --cwd <repo> up --yes --skip-preview --refresh ${stack("goapi")}`;
const wiring = [
  "docker exec goapi-control-plane mkdir -p /etc/containerd/certs.d/localhost:5001",
  "docker exec -i goapi-control-plane cp /dev/stdin /etc/containerd/certs.d/localhost:5001/hosts.toml",
];
const selects = (dir: string) => `pulumi --cwd <repo>/.pulumi/stack-config/${dir} stack select --create local`;
// The smoke check's restart, with the kubectl inside the kind node.
const inCluster = "docker exec goapi-control-plane kubectl --kubeconfig=/etc/kubernetes/admin.conf --namespace=goapi";
const restart = [
  `${inCluster} delete pod --selector=app.kubernetes.io/component=database --wait=true`,
  `${inCluster} delete pod --selector=app.kubernetes.io/component=api --wait=true`,
  `${inCluster} rollout status deployment/goapi-0a1b2c3d --timeout=180s`,
];

describe("local:up", () => {
  it("on a fresh machine makes registry, cluster and wiring, deploys add-ons then the app, then checks it", () => {
    expect(stopLines(firstRun)).toEqual([]);
    expect(firstRun.code).toBe(0);
    expect(changes(firstRun.calls)).toEqual([
      "docker run -d --restart=always -p 127.0.0.1:5001:5000 --network bridge --name kind-registry registry:2",
      "docker buildx create --name goapi-local --driver docker-container --driver-opt network=host",
      "kind create cluster --config <repo>/local/kind-config.yaml",
      ...wiring,
      "docker network connect kind kind-registry",
      selects("goapi-local-addons"),
      addonsUp,
      selects("goapi"),
      appUp,
      ...restart,
    ]);
    expect(up.read("hosts.toml")).toBe('[host."http://kind-registry:5000"]\n');
    expect(firstRun.calls.filter((c) => c.startsWith("curl")).map((c) => c.split(" ").at(-1))).toEqual([
      "http://goapi.localhost/readyz",
      "http://goapi.localhost/healthz",
      "http://goapi.localhost/v1/items",
      "http://goapi.localhost/v1/items",
      "http://grafana.localhost/api/health",
      "http://traces.localhost/",
      "http://goapi.localhost/v1/items",
      "http://goapi.localhost/readyz",
      expect.stringMatching(/^http:\/\/goapi\.localhost\/v1\/items\/item-\d+$/),
    ]);
    expect(firstRun.stdout).toContain("The API is up at http://goapi.localhost/");
  });

  it("passes the token to curl on stdin only: never in an argument, the output or a file left behind", () => {
    const post = firstRun.calls.filter((c) => c.startsWith("curl") && c.includes("-X POST"));
    expect(post).toHaveLength(2);
    for (const p of post) {
      expect(p).toContain("--config -");
    }
    // The stub API accepted them (the run passed), each as one quoted, escaped config line.
    expect(up.read("curl-config.log")).toBe('header = "Authorization: Bearer stub-t0k\\"en\\\\with-quote-0123456789"\n'.repeat(2));
    const secret = token.slice(-10);
    for (const call of firstRun.calls) {
      expect(call).not.toContain(secret);
    }
    expect(firstRun.stdout + firstRun.stderr).not.toContain(secret);
    expect(up.tmpFiles()).toEqual([]);
  });

  it("hands the CLI copies of the stack files, so the committed ones stay as they are (git status clean)", () => {
    expect(up.gitStatus()).toBe("");
    // The stub CLI wrote its salt into the files it was given, as the real one does.
    expect(up.stateFile("stack-config/goapi/Pulumi.local.yaml")).toMatch(/^encryptionsalt: /m);
    expect(up.stateFile("stack-config/goapi-local-addons/Pulumi.local.yaml")).toMatch(/^encryptionsalt: /m);
  });

  it("on a second run changes nothing but re-applying the wiring and the two deploys, each with a refresh", () => {
    const w = copyOfUp();
    const run = w.run("up");
    expect(run.code).toBe(0);
    expect(changes(run.calls)).toEqual([...wiring, selects("goapi-local-addons"), addonsUp, selects("goapi"), appUp, ...restart]);
    expect(run.stdout).toContain("already running");
    expect(run.stdout).toContain("already exists");
    expect(run.stdout).toContain("registry already on the kind network");
    expect(w.gitStatus()).toBe("");
  });

  it("stops naming the smoke check that failed", () => {
    const w = copyOfUp();
    w.set("token", "another-token-0000000000");
    const run = w.run("up");
    expect(run.code).toBe(1);
    const line =
      "local:up stopped: the smoke check authenticated_write failed against http://goapi.localhost/; curl's error is above. Next: fix that, then npm run local:up";
    expect(stopLines(run)).toEqual([line]);
    expect(fs.readFileSync(path.join(__dirname, "..", "docs", "local.md"), "utf8")).toContain(line);
  });
});

describe("local:up's check that the data outlives the pods", () => {
  it("writes an item, replaces the database's and the API's pods with the kubectl inside the kind node, and reads the item back", () => {
    const w = copyOfUp();
    w.unset("db-items");
    const run = w.run("up");
    expect(run.code).toBe(0);
    const curls = run.calls.filter((c) => c.startsWith("curl"));
    // The stub database keeps every item written (the authenticated_write check's, then this one's); the last request reads the last back.
    const written = w.read("db-items").trim().split("\n").at(-1) ?? "";
    expect(written).toMatch(/^item-\d+$/);
    expect(curls.at(-1)).toMatch(new RegExp(`^curl -fsS .* http://goapi\\.localhost/v1/items/${written}$`));
    // The read comes after the restart and the rollout, and after /readyz answers again.
    const readAt = run.calls.indexOf(curls.at(-1) ?? "");
    const restartAt = restart.map((r) => run.calls.indexOf(r));
    expect(restartAt.every((i) => i > 0 && i < readAt)).toBe(true);
    expect(run.calls.slice(Math.max(...restartAt), readAt).some((c) => c.startsWith("curl") && c.endsWith("/readyz"))).toBe(true);
    expect(run.stdout).toContain("write_survives_restart ok");
    expect(run.calls.some((c) => c.startsWith("kubectl"))).toBe(false);
  });

  it("stops naming the check when the item is gone after the restart", () => {
    const w = copyOfUp();
    w.set("database-loses-data");
    const run = w.run("up");
    expect(run.code).toBe(1);
    expect(stopLines(run)).toEqual([
      "local:up stopped: the smoke check write_survives_restart failed against http://goapi.localhost/; curl's error is above. Next: fix that, then npm run local:up",
    ]);
    expect(run.stderr).toContain("curl: (22) The requested URL returned error: 404");
    expect(fs.readFileSync(path.join(__dirname, "..", "docs", "local.md"), "utf8")).toContain(stopLines(run)[0]);
  });
});

describe("local:up's monitoring and traces", () => {
  it("checks Grafana and the trace viewer through the Ingress, and says where they are and how to log in", () => {
    expect(firstRun.calls).toContain("curl -fsS -o /dev/null --max-time 5 --resolve grafana.localhost:80:127.0.0.1 http://grafana.localhost/api/health");
    expect(firstRun.calls).toContain("curl -fsS -o /dev/null --max-time 5 --resolve traces.localhost:80:127.0.0.1 http://traces.localhost/");
    expect(firstRun.stdout).toMatch(/^ {2}Grafana: +http:\/\/grafana\.localhost\/ .*user admin/m);
    expect(firstRun.stdout).toContain("npx pulumi --cwd local/addons stack output grafanaAdminPassword --show-secrets --stack local");
    expect(firstRun.stdout).toMatch(/^ {2}traces: +http:\/\/traces\.localhost\/ /m);
    // The password itself is never printed, only how to read it.
    expect(firstRun.calls.filter((c) => c.includes("grafanaAdminPassword"))).toEqual([]);
  });

  it("stops naming the check when Grafana does not answer", () => {
    const w = copyOfUp();
    w.set("addons-ui-down");
    const run = w.run("up");
    expect(run.code).toBe(1);
    const line = "local:up stopped: the smoke check grafana failed against http://goapi.localhost/; curl's error is above. Next: fix that, then npm run local:up";
    expect(stopLines(run)).toEqual([line]);
    expect(fs.readFileSync(path.join(__dirname, "..", "docs", "local.md"), "utf8")).toContain(line);
  });
});

describe("local:down", () => {
  it("destroys both stacks while the cluster exists, then removes cluster, registry and state; git status stays clean", () => {
    const w = copyOfUp();
    const run = w.run("down");
    expect(stopLines(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(changes(run.calls)).toEqual([
      `pulumi --cwd <repo> destroy --yes --skip-preview ${stack("goapi")}`,
      "pulumi --cwd <repo> stack rm --yes --force --preserve-config --stack local",
      `pulumi --cwd <repo>/local/addons destroy --yes --skip-preview ${stack("goapi-local-addons")}`,
      "pulumi --cwd <repo>/local/addons stack rm --yes --force --preserve-config --stack local",
      "kind delete cluster --name goapi",
      "docker rm -f kind-registry",
      "docker buildx rm goapi-local",
    ]);
    expect(w.has("cluster")).toBe(false);
    expect(w.has("registry")).toBe(false);
    expect(w.has("builder")).toBe(false);
    expect(w.stateFiles()).toBeUndefined();
    expect(w.gitStatus()).toBe("");
  });

  it("run twice: the second run finds everything gone, says how it knows, and succeeds", () => {
    const w = copyOfUp();
    w.run("down");
    const run = w.run("down");
    expect(stopLines(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(changes(run.calls)).toEqual([]);
    expect(run.stdout).toContain("no local state (.pulumi): nothing to destroy");
    expect(run.stdout).toContain("already gone (kind lists no cluster goapi)");
    expect(run.stdout).toContain("already gone (docker lists no container kind-registry)");
    expect(run.stdout).toContain("already gone (docker buildx has no builder goapi-local)");
  });
});

describe("the pulumi package", () => {
  // The scripts run the CLI binary that the package's resolve() names, not its node launcher (lib/local.sh says why).
  it("still exports resolve() from lib/resolve.js", async () => {
    const mod = (await import(path.join(__dirname, "..", "node_modules", "pulumi", "lib", "resolve.js"))) as { resolve?: unknown };
    expect(typeof mod.resolve).toBe("function");
  });
});
