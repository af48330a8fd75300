// Pulumi mocks that record every resource the program declares, with inputs
// as the engine would receive them (secrets still wrapped), and answer with
// the state a provider would return.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { reveal } from "./values";

export interface Declared {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** What the mocks answered: the inputs plus what a provider fills in. */
  state: Record<string, unknown>;
  /** Reference (urn::id) of the provider that manages it, if one was named. */
  provider?: string;
  /** A custom resource (managed by a provider), not a component. */
  custom: boolean;
  /** The ignoreChanges resource option, as the engine receives it (recorded by installMocks). */
  ignoreChanges?: string[];
  /** URN of the parent resource (the component that declared it), "" for none. */
  parent?: string;
}

interface RegisterRequest {
  getIgnorechangesList(): string[];
  getParent(): string;
}

/**
 * The mock monitor drops resource options on the way to newResource. It calls
 * newResource before its first await, so the options of the request being
 * registered can be read there.
 */
let registering: { ignoreChanges: string[]; parent?: string } = { ignoreChanges: [] };
type Register = (this: MockMonitor, req: RegisterRequest, cb: (err: unknown, res: unknown) => void) => Promise<void>;
const register = Reflect.get(MockMonitor.prototype, "registerResource") as Register;
MockMonitor.prototype.registerResource = function (this: MockMonitor, req: RegisterRequest, cb: (err: unknown, res: unknown) => void) {
  registering = { ignoreChanges: req.getIgnorechangesList(), parent: req.getParent() };
  return register.call(this, req, cb);
};

const shortHash = (v: unknown) => createHash("sha256").update(JSON.stringify(reveal(v))).digest("hex").slice(0, 8);

/**
 * The Kubernetes provider names an object without metadata.name
 * `<resource name>-<random suffix>`, and picks a new suffix when it replaces
 * the object. A suffix from the inputs behaves alike: other content, other name.
 */
function autoNamed(name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const metadata = inputs.metadata as Record<string, unknown> | undefined;
  if (metadata === undefined || metadata.name !== undefined) {
    return inputs;
  }
  return { ...inputs, metadata: { ...metadata, name: `${name}-${shortHash(inputs)}` } };
}

function fakeState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  if (type.startsWith("kubernetes:")) {
    return autoNamed(name, inputs);
  }
  switch (type) {
    case "docker-build:index:Image": {
      // Stands in for the pushed digest, shaped like one (ApiImage checks the shape);
      // tests check that it is passed on, not its value.
      const digest = `sha256:${createHash("sha256").update(JSON.stringify(inputs)).digest("hex")}`;
      return { ...inputs, digest, contextHash: "mock-context-hash" };
    }
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: "g".repeat(Number(inputs.length)) };
    default:
      return inputs;
  }
}

/**
 * The Kubernetes provider's Helm template function, as components/cluster-apis.ts
 * uses it: the served-kinds chart's ConfigMap, saying "true" for every kind
 * the cluster serves (all of them, unless `unserved` names some).
 */
function helmTemplate(inputs: Record<string, unknown>, unserved: readonly string[]): Record<string, unknown> {
  const opts = JSON.parse(String(inputs.jsonOpts)) as { path?: string; values?: { kinds?: string[] } };
  // The provider reads the chart from disk: a path without one fails there.
  if (opts.path === undefined || !fs.existsSync(path.join(opts.path, "Chart.yaml"))) {
    throw new Error(`Error: path "${String(opts.path)}" is not a Helm chart (no Chart.yaml)`);
  }
  const data = Object.fromEntries((opts.values?.kinds ?? []).map((k) => [k, String(!unserved.includes(k))]));
  return { result: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "served-kinds" }, data }] };
}

export interface MockOptions {
  /** Replaces the fake outputs of the types it answers for. */
  state?: (type: string, inputs: Record<string, unknown>) => Record<string, unknown> | undefined;
  /** Runs the program as `pulumi preview` would. */
  preview?: boolean;
  /** API kinds ("group/version/Kind") the mocked cluster does not serve. */
  unservedKinds?: readonly string[];
  /** The Helm template function renders nothing at all (a provider or chart that went wrong). */
  helmRendersNothing?: boolean;
  /** The Pulumi project (goapi unless a test runs another, such as local/addons). */
  project?: string;
}

/** Installs mocks for project/stack and returns the live list of declared resources. */
export async function installMocks(stack: string, opts: MockOptions = {}): Promise<Declared[]> {
  const declared: Declared[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const inputs = args.inputs as Record<string, unknown>;
        const state = opts.state?.(args.type, inputs) ?? fakeState(args.type, args.name, inputs);
        declared.push({ type: args.type, name: args.name, inputs, state, provider: args.provider, custom: args.custom ?? false, ...registering });
        registering = { ignoreChanges: [] };
        return { id: `${args.name}-id`, state };
      },
      call: (args) =>
        args.token === "kubernetes:helm:template"
          ? opts.helmRendersNothing === true
            ? { result: [] }
            : helmTemplate(args.inputs as Record<string, unknown>, opts.unservedKinds ?? [])
          : (args.inputs as Record<string, unknown>),
    },
    opts.project ?? "goapi",
    stack,
    opts.preview ?? false,
  );
  return declared;
}

/** Waits until every declared resource has been registered with the mocks. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}
