// The fault matrix of npm run local:up and local:down, on a fake machine
// (helpers/local-world.ts). For each fault the script either completes, or
// stops with one line naming the cause and the next command, exits non-zero,
// and changes nothing it cannot vouch for: no state dropped, nothing called
// gone, unless kind or Docker said so. docs/local.md quotes every one of the lines.
import * as fs from "node:fs";
import * as path from "node:path";
import { changes, type LocalWorld, machines, pulumiVersion, type Script, type ScriptRun, stopLines } from "./helpers/local-world";

const machine = machines();

const deletedByHand = {
  cluster: (w: LocalWorld) => {
    for (const f of ["cluster", "objects", "hosts.toml"]) {
      w.unset(f);
    }
  },
  registry: (w: LocalWorld) => {
    for (const f of ["registry", "registry-images", "registry-on-kind"]) {
      w.unset(f);
    }
  },
  builder: (w: LocalWorld) => {
    w.unset("builder");
  },
};
interface Fault {
  name: string;
  script: Script;
  from: "fresh" | "up";
  fault?: (w: LocalWorld) => void;
  env?: Record<string, string>;
  asNobody?: boolean;
  /** The stop line; absent when the script must complete. */
  stops?: string;
  /** For a stop: the step that failed had begun changing the machine (the state is still kept). */
  midway?: boolean;
  /** What else must hold after the run. */
  then?: (w: LocalWorld, run: ScriptRun) => void;
}

const next = (s: Script) => `npm run local:${s}`;
const dockerDown = (s: Script) =>
  `local:${s} stopped: missing prerequisites: the Docker daemon is not reachable (start Docker Desktop, or: sudo systemctl start docker). Next: ${next(s)}`;
const kindMissing = (s: Script) =>
  `local:${s} stopped: missing prerequisites: kind is not installed (https://kind.sigs.k8s.io/docs/user/quick-start/#installation). Next: ${next(s)}`;
const kindCannotTell = (s: Script) =>
  `local:${s} stopped: cannot tell whether the kind cluster goapi exists (kind get clusters failed). Next: kind get clusters (to see why), then ${next(s)}`;
const stateUnreadable = (s: Script) =>
  `local:${s} stopped: the state folder .pulumi is not readable and writable by you (made with sudo?). Next: sudo chown -R "$USER" .pulumi && ${next(s)}`;
const passphrase = (s: Script) =>
  `local:${s} stopped: the local state was made with another passphrase than PULUMI_CONFIG_PASSPHRASE. Next: PULUMI_CONFIG_PASSPHRASE='<the passphrase it was made with>' ${next(s)}`;

const cliUnfetchable = `the Pulumi CLI v${pulumiVersion} could not be downloaded (fetch failed): install it by hand into ~/.pulumi/versions/${pulumiVersion}/bin, as README.md shows (https://github.com/pulumi/pulumi/releases/tag/v${pulumiVersion})`;

const pulumiUnfetchable = (s: Script) => `local:${s} stopped: missing prerequisites: ${cliUnfetchable}. Next: ${next(s)}`;
const noStackTrace = (_w: LocalWorld, run: ScriptRun) => {
  expect(run.stderr).not.toMatch(/TypeError|\n\s+at /);
};

const faults: Fault[] = [
  { name: "Docker daemon down", script: "up", from: "fresh", fault: (w) => { w.set("docker-down"); }, stops: dockerDown("up") },
  {
    name: "docker, kind, curl missing and Node too old, all at once",
    script: "up",
    from: "fresh",
    fault: (w) => {
      w.uninstall("docker");
      w.uninstall("kind");
      w.uninstall("curl");
      w.set("node-major", "20");
    },
    stops:
      "local:up stopped: missing prerequisites: docker is not installed (https://docs.docker.com/get-docker/); kind is not installed (https://kind.sigs.k8s.io/docs/user/quick-start/#installation); Node.js 22 or newer is required (found v20.1.0); curl is not installed (it runs the final check). Next: npm run local:up",
  },
  {
    name: "docker buildx missing",
    script: "up",
    from: "fresh",
    fault: (w) => {
      w.set("no-buildx");
    },
    stops:
      "local:up stopped: missing prerequisites: docker buildx is not installed (https://docs.docker.com/build/install-buildx/). Next: npm run local:up",
  },
  { name: "kind missing", script: "up", from: "fresh", fault: (w) => { w.uninstall("kind"); }, stops: kindMissing("up") },
  { name: "no access to the Pulumi download site", script: "up", from: "fresh", fault: (w) => { w.set("pulumi-unfetchable"); }, stops: pulumiUnfetchable("up"), then: noStackTrace },
  {
    name: "kind missing and no access to the Pulumi download site, at once",
    script: "up",
    from: "fresh",
    fault: (w) => {
      w.uninstall("kind");
      w.set("pulumi-unfetchable");
    },
    stops: `local:up stopped: missing prerequisites: kind is not installed (https://kind.sigs.k8s.io/docs/user/quick-start/#installation); ${cliUnfetchable}. Next: npm run local:up`,
  },
  { name: "kind cannot list clusters", script: "up", from: "up", fault: (w) => { w.set("kind-broken"); }, stops: kindCannotTell("up") },
  {
    name: "docker cannot list containers",
    script: "up",
    from: "up",
    fault: (w) => { w.set("docker-ps-broken"); },
    stops: "local:up stopped: cannot tell whether the container kind-registry exists (docker ps -a failed). Next: docker ps -a (to see why), then npm run local:up",
  },
  {
    name: "cluster deleted by hand while the state remains",
    script: "up",
    from: "up",
    fault: deletedByHand.cluster,
    then: (w, run) => {
      expect(run.calls).toContain("kind create cluster --config <repo>/local/kind-config.yaml");
      expect(w.serving()).toBe(true);
    },
  },
  {
    name: "cluster whose creation was cut short (control plane not answering)",
    script: "up",
    from: "up",
    fault: (w) => { w.set("cluster", "starting"); },
    stops:
      "local:up stopped: the kind cluster goapi exists but its control plane does not answer (was its creation cut short?). Next: kind delete cluster --name goapi && npm run local:up",
  },
  {
    name: "registry container deleted by hand: re-created, re-connected, the image pushed again",
    script: "up",
    from: "up",
    fault: deletedByHand.registry,
    then: (w, run) => {
      expect(run.calls).toContain("docker run -d --restart=always -p 127.0.0.1:5001:5000 --network bridge --name kind-registry registry:2");
      expect(run.stdout).toContain(
        "the registry no longer holds the deployed image localhost:5001/goapi@sha256:5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e (a registry container created anew?): building it again",
      );
      expect(run.calls).toContain(
        "pulumi --cwd <repo> up --yes --skip-preview --refresh --stack local --config-file <repo>/.pulumi/stack-config/goapi/Pulumi.local.yaml --replace urn:pulumi:local::goapi::goapi:index:ApiImage$docker-build:index:Image::api",
      );
      expect(w.has("registry-on-kind")).toBe(true);
      expect(w.serving()).toBe(true);
    },
  },
  {
    name: "BuildKit builder deleted by hand",
    script: "up",
    from: "up",
    fault: deletedByHand.builder,
    then: (w, run) => {
      expect(run.calls).toContain("docker buildx create --name goapi-local --driver docker-container --driver-opt network=host");
      expect(w.has("builder")).toBe(true);
    },
  },
  {
    name: "buildx cannot tell whether the builder exists",
    script: "up",
    from: "up",
    fault: (w) => {
      w.set("buildx-broken");
    },
    stops:
      "local:up stopped: cannot tell whether the BuildKit builder goapi-local exists (docker buildx inspect failed). Next: docker buildx inspect goapi-local (to see why), then npm run local:up",
  },
  {
    name: "registry container stopped",
    script: "up",
    from: "up",
    fault: (w) => { w.set("registry", "stopped"); },
    then: (w, run) => {
      expect(run.calls).toContain("docker start kind-registry");
      expect(w.serving()).toBe(true);
    },
  },
  {
    name: "registry answering errors when asked for the deployed image",
    script: "up",
    from: "up",
    fault: (w) => { w.set("registry-error"); },
    stops:
      "local:up stopped: the registry localhost:5001 does not answer whether it holds the deployed image localhost:5001/goapi@sha256:5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e (HTTP answer: 503). Next: docker logs kind-registry (to see why), then npm run local:up",
  },
  {
    name: "registry created anew, the deployed image prebuilt",
    script: "up",
    from: "up",
    fault: (w) => {
      deletedByHand.registry(w);
      w.set("prebuilt-image");
    },
    midway: true,
    stops:
      "local:up stopped: the registry no longer holds the deployed image localhost:5001/goapi@sha256:5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e, and the stack builds no image (goapi:image.ref names a prebuilt one). Next: push that image to localhost:5001 again, then npm run local:up",
  },
  {
    name: "registry port taken",
    midway: true,
    script: "up",
    from: "fresh",
    fault: (w) => { w.set("port-5001-taken"); },
    stops:
      "local:up stopped: port 5001 on 127.0.0.1 is taken by another program, so the registry container kind-registry cannot start. Next: free the port (lsof -i :5001 shows who holds it), then npm run local:up",
  },
  {
    name: "registry port taken, container already there",
    midway: true,
    script: "up",
    from: "up",
    fault: (w) => {
      w.set("registry", "stopped");
      w.set("port-5001-taken");
    },
    stops:
      "local:up stopped: port 5001 on 127.0.0.1 is taken by another program, so the registry container kind-registry cannot start. Next: free the port (lsof -i :5001 shows who holds it), then npm run local:up",
  },
  {
    name: "Ingress port 80 taken",
    midway: true,
    script: "up",
    from: "fresh",
    fault: (w) => { w.set("port-80-taken"); },
    stops:
      "local:up stopped: port 80 on 127.0.0.1 is taken by another program, so the kind cluster cannot map it for the Ingress. Next: free the port (sudo lsof -i :80 shows who holds it), then npm run local:up",
  },
  {
    name: "state folder unreadable",
    script: "up",
    from: "up",
    fault: (w) => { w.lockState(); },
    asNobody: true,
    stops: stateUnreadable("up"),
    then: (_, run) => { expect(run.calls.filter((c) => c.startsWith("pulumi"))).toEqual([]); },
  },
  { name: "passphrase changed since the state was made", script: "up", from: "up", env: { PULUMI_CONFIG_PASSPHRASE: "another" }, stops: passphrase("up") },

  {
    name: "the app's build failing in pulumi up",
    script: "up",
    from: "up",
    fault: (w) => { w.set("app-build-broken"); },
    midway: true,
    stops:
      "local:up stopped: pulumi up of the API (stack local) failed (its error is above; the state is kept). Next: fix that, then npm run local:up",
    // No pod to explain: the build's error says it all.
    then: (_, run) => { expect(run.calls.filter((c) => c.startsWith("ts-node"))).toEqual([]); },
  },
  {
    name: "the API's rollout failing in pulumi up: the failing pods explained before the stop line",
    script: "up",
    from: "up",
    fault: (w) => { w.set("rollout-failing"); },
    midway: true,
    stops:
      "local:up stopped: pulumi up of the API (stack local) failed (its error is above; the state is kept). Next: fix that, then npm run local:up",
    then: (_, run) => {
      expect(run.calls).toContain(
        "ts-node --transpile-only --swc <repo>/rollout/cli.ts -- docker exec goapi-control-plane kubectl --kubeconfig=/etc/kubernetes/admin.conf",
      );
      expect(run.calls).toContain("pulumi --cwd <repo> stack export --stack local --show-secrets");
      expect(run.stderr).toMatch(/Why the rollout failed: \(stub\) \d+ bytes of state, the token given\n(?:.*\n)?local:up stopped: /);
      expect(run.stdout).toContain("==> Why the update of ./ failed: the failing pods");
    },
  },
  {
    name: "the API never ready behind the Ingress",
    script: "up",
    from: "up",
    fault: (w) => {
      w.set("api-not-ready");
      w.instantSleep();
    },
    midway: true,
    stops:
      'local:up stopped: the API did not answer http://goapi.localhost/readyz through the Ingress within a minute. Next: see "The Ingress never becomes ready" in docs/local.md, then npm run local:up',
    then: (_, run) => {
      expect(run.calls.filter((c) => c.endsWith("/readyz"))).toHaveLength(30);
    },
  },
  {
    name: "a failure the script has no words for (the kind network gone)",
    script: "up",
    from: "fresh",
    fault: (w) => { w.set("kind-network-gone"); },
    midway: true,
    stops:
      'local:up stopped: a command failed (status 1) during "Wiring the registry into the cluster"; its error is above. Next: npm run local:up',
  },

  { name: "Docker daemon down", script: "down", from: "up", fault: (w) => { w.set("docker-down"); }, stops: dockerDown("down") },
  { name: "kind missing", script: "down", from: "up", fault: (w) => { w.uninstall("kind"); }, stops: kindMissing("down") },
  // The state is there but not the CLI: another PULUMI_VERSION, or another PULUMI_HOME.
  { name: "no access to the Pulumi download site", script: "down", from: "up", fault: (w) => { w.set("pulumi-unfetchable"); }, stops: pulumiUnfetchable("down"), then: noStackTrace },
  { name: "kind cannot list clusters", script: "down", from: "up", fault: (w) => { w.set("kind-broken"); }, stops: kindCannotTell("down") },
  {
    name: "a cluster listed but not answering while destroying",
    script: "down",
    from: "up",
    fault: (w) => { w.set("cluster", "starting"); },
    midway: true,
    stops:
      "local:down stopped: pulumi destroy of the stack local of ./ failed (its error is above; the state is kept). Next: fix that, then npm run local:down",
    then: (w) => {
      expect(w.has("cluster")).toBe(true);
    },
  },
  {
    name: "cluster deleted by hand while the state remains: the state is dropped without destroying",
    script: "down",
    from: "up",
    fault: deletedByHand.cluster,
    then: (w, run) => {
      expect(changes(run.calls)).toEqual([
        "pulumi --cwd <repo> stack rm --yes --force --preserve-config --stack local",
        "pulumi --cwd <repo>/local/addons stack rm --yes --force --preserve-config --stack local",
        "docker rm -f kind-registry",
        "docker buildx rm goapi-local",
      ]);
      expect(run.stdout).toContain("kind lists no cluster goapi: dropping the state of ./ without destroying");
      expect(w.stateFiles()).toBeUndefined();
    },
  },
  {
    name: "BuildKit builder deleted by hand",
    script: "down",
    from: "up",
    fault: deletedByHand.builder,
    then: (w, run) => {
      expect(run.stdout).toContain("already gone (docker buildx has no builder goapi-local)");
      expect(w.stateFiles()).toBeUndefined();
    },
  },
  {
    name: "registry container deleted by hand",
    script: "down",
    from: "up",
    fault: deletedByHand.registry,
    then: (w, run) => {
      expect(run.stdout).toContain("already gone (docker lists no container kind-registry)");
      expect(w.stateFiles()).toBeUndefined();
    },
  },
  {
    name: "another stack kept in the local backend",
    script: "down",
    from: "up",
    fault: (w) => { w.addStateFile(".pulumi/stacks/scratch/local.json"); },
    then: (w, run) => {
      expect(run.stdout).toContain("kept .pulumi: it holds other stacks");
      expect(w.stateFiles()).toContain(".pulumi/stacks/scratch/local.json");
    },
  },
  {
    name: "state folder unreadable",
    script: "down",
    from: "up",
    fault: (w) => { w.lockState(); },
    asNobody: true,
    stops: stateUnreadable("down"),
    then: (_, run) => { expect(run.calls.filter((c) => c.startsWith("pulumi"))).toEqual([]); },
  },
  { name: "passphrase changed since the state was made", script: "down", from: "up", env: { PULUMI_CONFIG_PASSPHRASE: "another" }, stops: passphrase("down") },
];

interface Observed {
  world: LocalWorld;
  run: ScriptRun;
  stateBefore: string[] | undefined;
}

// The faults run side by side, each on its own copy of the machine; each test below looks at one.
const observed = new Map<Fault, Observed>();
beforeAll(async () => {
  await Promise.all(
    faults.map(async (f) => {
      const world = machine.copy(f.from === "up" ? machine.up() : machine.fresh());
      f.fault?.(world);
      const stateBefore = world.stateFiles();
      const run = await world.runAsync(f.script, f.env, { asNobody: f.asNobody });
      world.unlockState();
      observed.set(f, { world, run, stateBefore });
    }),
  );
}, 120_000);

describe.each(faults)("local:$script with $name", (f) => {
  const get = () => observed.get(f) as Observed;
  if (f.stops !== undefined) {
    const line = f.stops;
    it("stops with one line naming the cause and the next command, and a non-zero status", () => {
      const { run } = get();
      expect(stopLines(run)).toEqual([line]);
      expect(run.stderr.trimEnd().split("\n").at(-1)).toBe(line);
      expect(run.code).toBe(1);
    });
    it(f.midway ? "keeps the state and leaves no temporary file" : "changes nothing on the machine, keeps the state and leaves no temporary file", () => {
      const { world, run, stateBefore } = get();
      if (!f.midway) {
        expect(changes(run.calls)).toEqual([]);
      }
      if (f.midway) {
        expect(world.stateFiles()).toEqual(expect.arrayContaining(stateBefore ?? []));
      } else {
        expect(world.stateFiles()).toEqual(stateBefore);
      }
      expect(world.tmpFiles()).toEqual([]);
      expect(world.gitStatus()).toBe("");
      f.then?.(world, run);
    });
  } else {
    it("completes", () => {
      const { world, run } = get();
      expect(stopLines(run)).toEqual([]);
      expect(run.code).toBe(0);
      f.then?.(world, run);
      expect(world.gitStatus()).toBe("");
    });
  }
});

describe("docs/local.md", () => {
  const readme = fs.readFileSync(path.join(__dirname, "..", "docs", "local.md"), "utf8");
  it("quotes a whole line of missing prerequisites", () => {
    expect(readme).toContain(dockerDown("up"));
  });
  // docs/local.md shows a local:down line as it is, or as the local:up line it mirrors (and says so).
  // A line of missing prerequisites is quoted piece by piece (the line with the Docker daemon alone, whole).
  it.each(faults.filter((f) => f.stops !== undefined))("quotes the line of local:$script with $name", (f) => {
    // A digest is quoted as sha256:… there.
    const line = (f.stops ?? "").replace(/@sha256:[0-9a-f]{64}/g, "@sha256:…");
    const quoted = readme.includes(line) ? line : line.replaceAll("local:down", "local:up");
    const missing = /^local:up stopped: missing prerequisites: (.*)\. Next: npm run local:up$/.exec(quoted);
    for (const piece of missing?.[1]?.split("; ") ?? [quoted]) {
      expect(readme).toContain(piece);
    }
  });
});
