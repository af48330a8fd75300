// Pulumi mocks that record every resource the program declares, with inputs
// as the engine would receive them (secrets still wrapped).
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

export interface Declared {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** The outputs the mocks answered with. */
  state: Record<string, unknown>;
  /** The provider reference the engine would use (urn::id), if one was named or inherited. */
  provider?: string;
}

/** Stand-ins for what providers compute. Tests check where such values go, never the values. */
function fakeState(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "docker-build:index:Image": {
      // Shaped like a digest (ApiImage checks the shape), derived from the inputs so each build differs.
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
 * Installs mocks for project/stack and returns the live list of declared
 * resources. `state` replaces the fake outputs of the types it answers for;
 * `preview` runs the program as `pulumi preview` would.
 */
export async function installMocks(
  stack: string,
  opts: { state?: (type: string, inputs: Record<string, unknown>) => Record<string, unknown> | undefined; preview?: boolean } = {},
): Promise<Declared[]> {
  const declared: Declared[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const inputs = args.inputs as Record<string, unknown>;
        const state = opts.state?.(args.type, inputs) ?? fakeState(args.type, inputs);
        declared.push({ type: args.type, name: args.name, inputs, state, provider: args.provider });
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs as Record<string, unknown>,
    },
    "goapi",
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
