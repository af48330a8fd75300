// The compile check against the real Go toolchain, on a throwaway module.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { goBuild } from "../../scripts/dev/go-check";

const app = path.join(__dirname, "..", "..", "app");

describe("goBuild", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-dev-go-"));
    fs.copyFileSync(path.join(app, "build.sh"), path.join(dir, "build.sh"));
    fs.chmodSync(path.join(dir, "build.sh"), 0o755);
    fs.writeFileSync(path.join(dir, "go.mod"), "module goapi\n\ngo 1.22\n");
    fs.mkdirSync(path.join(dir, "cmd", "api"), { recursive: true });
    fs.mkdirSync(path.join(dir, "internal", "version"), { recursive: true });
    fs.writeFileSync(path.join(dir, "internal", "version", "version.go"), 'package version\n\nvar version, commit = "", ""\n\nfunc String() string { return version + commit }\n');
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("passes code that compiles, through app/build.sh", async () => {
    fs.writeFileSync(path.join(dir, "cmd", "api", "main.go"), 'package main\n\nimport "goapi/internal/version"\n\nfunc main() { println(version.String()) }\n');
    const r = await goBuild(dir);
    expect(r.output).toBe("");
    expect(r.ok).toBe(true);
  });

  it("returns the compiler's message for code that does not", async () => {
    fs.writeFileSync(path.join(dir, "cmd", "api", "main.go"), "package main\n\nfunc main() { undefinedThing() }\n");
    const r = await goBuild(dir);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/cmd\/api\/main\.go:3:\d+: undefined: undefinedThing/);
  });
});
