import { runScript } from "./helpers/stubs";

const changes = (calls: string[]) =>
  calls.filter((c) => /^(docker (run|start|network connect|rm|buildx create|buildx rm)|kind (create|delete)|pulumi (up|destroy|stack rm))/.test(c));

describe("local-up.sh", () => {
  it("names every missing prerequisite and changes nothing", () => {
    const run = runScript("scripts/local-up.sh", { STUB_DOCKER_DOWN: "1", STUB_NO_BUILDX: "1", STUB_NODE_MAJOR: "20" }, ["kind"]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toEqual([
      "missing: the Docker daemon is not reachable: start Docker Desktop or the docker service",
      expect.stringMatching(/^missing: docker buildx is not installed/),
      expect.stringMatching(/^missing: kind is not installed/),
      "missing: Node.js 22 or newer is required (found v20.1.0)",
    ]);
    expect(changes(run.calls)).toEqual([]);
  });

  it("on a fresh machine creates registry, cluster and wiring, then deploys add-ons and the app, then checks", () => {
    const run = runScript("scripts/local-up.sh", {});
    expect(run.code).toBe(0);
    const steps = run.calls.filter((c) =>
      /^(docker run|kind create|docker exec goapi-control-plane mkdir|docker network connect|pulumi up|curl)/.test(c),
    );
    expect(steps.map((c) => c.split(" ").slice(0, 2).join(" "))).toEqual([
      "docker run",
      "kind create",
      "docker exec",
      "docker network",
      "pulumi up",
      "pulumi up",
      "curl -fsS",
      "curl -fsS",
      "curl -fsS",
      "curl -fsS",
    ]);
    expect(run.calls).toContain("docker run -d --restart=always -p 127.0.0.1:5001:5000 --network bridge --name kind-registry registry:2");
    expect(run.calls).toContain("docker buildx create --name goapi-local --driver docker-container --driver-opt network=host");
    const firstBuild = run.calls.findIndex((c) => c.startsWith("pulumi up"));
    expect(run.calls.findIndex((c) => c.startsWith("docker buildx create"))).toBeLessThan(firstBuild);
    expect(run.calls.some((c) => c.startsWith("kind create cluster --config ") && c.endsWith("local/kind-config.yaml"))).toBe(true);
    expect(run.calls).toContain("docker exec goapi-control-plane mkdir -p /etc/containerd/certs.d/localhost:5001");
    expect(run.calls.filter((c) => c.startsWith("curl")).at(-1)).toMatch(/-X POST .*Authorization: Bearer stub-token-0123456789/);
    expect(run.stdout).toContain("The API is up at http://goapi.localhost/");
    expect(run.stdout).not.toContain("stub-token-0123456789");
  });

  it("skips what exists on a second run", () => {
    const run = runScript("scripts/local-up.sh", { STUB_REGISTRY: "true", STUB_CLUSTER: "1", STUB_REGISTRY_NET: "{}", STUB_BUILDER: "1" });
    expect(run.code).toBe(0);
    expect(changes(run.calls)).toEqual(["pulumi up --yes --skip-preview --stack local", "pulumi up --yes --skip-preview --stack local"]);
    expect(run.stdout).toContain("already running");
    expect(run.stdout).toContain("already exists");
  });
});

describe("local-down.sh", () => {
  it("destroys the stacks while the cluster exists, then removes cluster and registry", () => {
    const run = runScript("scripts/local-down.sh", { STUB_STACKS: "1", STUB_CLUSTER: "1", STUB_REGISTRY: "true", STUB_BUILDER: "1" });
    expect(run.code).toBe(0);
    expect(changes(run.calls)).toEqual([
      "pulumi destroy --yes --skip-preview --stack local",
      "pulumi stack rm --yes --force --preserve-config --stack local",
      "pulumi destroy --yes --skip-preview --stack local",
      "pulumi stack rm --yes --force --preserve-config --stack local",
      "kind delete cluster --name goapi",
      "docker rm -f kind-registry",
      "docker buildx rm goapi-local",
    ]);
  });

  it("is safe to run again when everything is gone", () => {
    const run = runScript("scripts/local-down.sh", {});
    expect(run.code).toBe(0);
    expect(changes(run.calls)).toEqual([]);
    expect(run.stdout).toContain("already gone");
  });
});
