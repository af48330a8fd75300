// Ctrl-C at each step of npm run local:up (and during local:down's destroy),
// delivered as a terminal does: SIGINT to the script's process group while a
// stub reports it is running that step. The script stops with one line and
// status 130, keeps what it finished, and running it again completes.
import * as fs from "node:fs";
import * as path from "node:path";
import { type LocalWorld, machines, type Script, type ScriptRun, stopLines } from "./helpers/local-world";

const machine = machines();

interface Cut {
  step: string;
  /** The stub call, as a shell pattern, during which the interrupt comes. */
  at: string;
  from: "fresh" | "up";
  fault?: (w: LocalWorld) => void;
}

const cuts: Cut[] = [
  { step: "Checking prerequisites", at: "docker info", from: "fresh" },
  { step: "Checking prerequisites", at: "pulumi --cwd */repo stack output", from: "up" },
  { step: "Local registry localhost:5001 (container kind-registry)", at: "docker run", from: "fresh" },
  { step: "BuildKit builder 'goapi-local' on the host network, so builds reach localhost:5001", at: "docker buildx create", from: "fresh" },
  { step: "kind cluster 'goapi' (context kind-goapi)", at: "kind create cluster", from: "fresh" },
  { step: "Wiring the registry into the cluster", at: "docker exec -i", from: "fresh" },
  { step: "Cluster add-ons: Traefik, metrics-server, registry hint, Prometheus Operator stack, OpenTelemetry Collector, Jaeger (local/addons)", at: "pulumi --cwd */local/addons up", from: "fresh" },
  { step: "Building, pushing and deploying the API (stack local)", at: "pulumi --cwd */repo up", from: "fresh" },
  {
    step: "Building, pushing and deploying the API (stack local)",
    at: "pulumi --cwd */repo up",
    from: "up",
    // The registry was deleted by hand: the run re-creates it, and must push the image again.
    fault: (w) => {
      for (const f of ["registry", "registry-images", "registry-on-kind"]) {
        w.unset(f);
      }
    },
  },
  { step: "Checking http://goapi.localhost/ through the Ingress", at: "curl", from: "fresh" },
];

interface Observed {
  cut: ScriptRun;
  stateBefore: string[];
  stateAfterCut: string[];
  tmpAfterCut: string[];
  gitAfterCut: string;
  cancelledFirst: boolean;
  clusterAfterCut: boolean;
  again: ScriptRun;
  servingAfter: boolean;
  gitAfter: string;
}

/** Interrupts the script at the cut, looks at the machine, then runs the script again. */
async function cutAndRerun(script: Script, at: string, from: LocalWorld, fault?: (w: LocalWorld) => void): Promise<Observed> {
  const w = machine.copy(from);
  fault?.(w);
  const stateBefore = w.stateFiles() ?? [];
  const cut = await w.interrupt(script, at);
  const observed = {
    cut,
    stateBefore,
    stateAfterCut: w.stateFiles() ?? [],
    tmpAfterCut: w.tmpFiles(),
    gitAfterCut: w.gitStatus(),
    cancelledFirst: w.has("pulumi-cancelled"),
    clusterAfterCut: w.has("cluster"),
  };
  const again = await w.runAsync(script);
  return { ...observed, again, servingAfter: w.serving(), gitAfter: w.gitStatus() };
}

// The cuts run side by side; each test below looks at one of them (and fails
// alone if its cut could not be made).
const results = new Map<Cut | "down", PromiseSettledResult<Observed>>();
const result = (key: Cut | "down"): Observed => {
  const r = results.get(key);
  if (r?.status !== "fulfilled") {
    throw r?.reason ?? new Error("not run");
  }
  return r.value;
};
beforeAll(async () => {
  const keys = [...cuts, "down" as const];
  const all = await Promise.allSettled(
    keys.map((k) => (k === "down" ? cutAndRerun("down", "pulumi --cwd */repo destroy", machine.up()) : cutAndRerun("up", k.at, k.from === "up" ? machine.up() : machine.fresh(), k.fault))),
  );
  keys.forEach((k, i) => results.set(k, all[i] as PromiseSettledResult<Observed>));
}, 120_000);

describe.each(cuts)("local:up interrupted during $at ($from)", (cut) => {
  it("stops with one line and status 130, keeping the state and leaving no temporary file", () => {
    const o = result(cut);
    expect(stopLines(o.cut)).toEqual([
      `local:up stopped: interrupted during "${cut.step}"; what was finished before is kept. Next: npm run local:up`,
    ]);
    expect(o.cut.code).toBe(130);
    expect(o.stateAfterCut).toEqual(expect.arrayContaining(o.stateBefore));
    expect(o.tmpAfterCut).toEqual([]);
    expect(o.gitAfterCut).toBe("");
    if (cut.at.startsWith("pulumi")) {
      // The script ended after the CLI had finished cancelling, not before.
      expect(o.cancelledFirst).toBe(true);
    }
    if (cut.at === "kind create cluster") {
      expect(o.cut.stdout).toContain("removing the cluster this run had started to create");
      expect(o.clusterAfterCut).toBe(false);
    }
  });

  it("completes when run again", () => {
    const o = result(cut);
    expect(stopLines(o.again)).toEqual([]);
    expect(o.again.code).toBe(0);
    expect(o.servingAfter).toBe(true);
    expect(o.gitAfter).toBe("");
  });
});

describe("local:down interrupted while destroying the app's stack", () => {
  let down: Observed;
  beforeAll(() => {
    down = result("down");
  });
  it("stops with one line and status 130, after the CLI has cancelled, keeping the state and the cluster", () => {
    expect(stopLines(down.cut)).toEqual([
      'local:down stopped: interrupted during "Destroying the stacks"; what was finished before is kept. Next: npm run local:down',
    ]);
    expect(down.cut.code).toBe(130);
    expect(down.cancelledFirst).toBe(true);
    expect(down.stateAfterCut).toEqual(down.stateBefore);
    expect(down.clusterAfterCut).toBe(true);
  });

  it("completes when run again", () => {
    expect(stopLines(down.again)).toEqual([]);
    expect(down.again.code).toBe(0);
    expect(down.gitAfter).toBe("");
  });
});

it("docs/local.md quotes the line of an interrupted local:up", () => {
  const kindCut = cuts.find((c) => c.at === "kind create cluster") as Cut;
  const line = stopLines(result(kindCut).cut)[0] ?? "-";
  expect(fs.readFileSync(path.join(__dirname, "..", "docs", "local.md"), "utf8")).toContain(line);
});
