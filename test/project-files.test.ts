// The Pulumi project runs the program without type-checking it (that costs
// seconds on every preview), so the test command must type-check instead.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const root = path.join(__dirname, "..");
const json = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), "utf8")) as Record<string, unknown>;

describe("the project files", () => {
  const project = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { runtime: { options: { tsconfig?: string } } };

  it("run the program with a tsconfig that skips type-checking, on top of the full one", () => {
    const file = project.runtime.options.tsconfig ?? "";
    expect(file).not.toBe("tsconfig.json");
    // The Node.js host reads noCheck from this file itself; it does not follow "extends".
    expect(json(file)).toEqual({ extends: "./tsconfig.json", compilerOptions: { noCheck: true } });
  });

  it("type-check in the test command with the full tsconfig", () => {
    const scripts = (json("package.json").scripts ?? {}) as Record<string, string>;
    // --incremental keeps what it learnt in a file of its own and re-checks every file a change can reach.
    expect(scripts.typecheck).toBe("tsc --noEmit --incremental --tsBuildInfoFile node_modules/.cache/typecheck.tsbuildinfo");
    expect(scripts.test).toContain("npm run typecheck");
    expect((json("tsconfig.json").compilerOptions as Record<string, unknown>).noCheck).toBeUndefined();
  });
});
