// Pulumi mocks that record every resource the program declares, with inputs
// as the engine would receive them (secrets still wrapped).
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

export interface Declared {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

function fakeState(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "docker:index/image:Image": {
      const imageName = String(inputs.imageName);
      const repo = imageName.replace(/:[^:/]+$/, "");
      const digest = createHash("sha256").update(JSON.stringify(inputs)).digest("hex");
      return { ...inputs, repoDigest: `${repo}@sha256:${digest}` };
    }
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: "g".repeat(Number(inputs.length)) };
    default:
      return inputs;
  }
}

/** Installs mocks for project/stack and returns the live list of declared resources. */
export async function installMocks(stack: string): Promise<Declared[]> {
  const declared: Declared[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        declared.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        return { id: `${args.name}-id`, state: fakeState(args.type, args.inputs as Record<string, unknown>) };
      },
      call: (args) => args.inputs as Record<string, unknown>,
    },
    "goapi",
    stack,
    false,
  );
  return declared;
}

/** Waits until every declared resource has been registered with the mocks. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}
