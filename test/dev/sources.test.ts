import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { sourceKind } from "../../scripts/dev/sources";
import { watchSources, type Change } from "../../scripts/dev/watcher";

describe("sourceKind", () => {
  it.each([
    ["app/cmd/api/main.go", "app"],
    ["app/internal/items/handler.go", "app"],
    ["app/go.mod", "app"],
    ["app/go.sum", "app"],
    ["app/build.sh", "app"],
    ["app/Dockerfile", "app"],
    ["index.ts", "program"],
    ["components/api-service.ts", "program"],
    ["Pulumi.local.yaml", "program"],
    ["Pulumi.yaml", "program"],
  ])("%s changes the %s", (file, kind) => {
    expect(sourceKind(file)).toBe(kind);
  });

  it.each([
    "app/internal/items/handler_test.go", // .dockerignore leaves tests out of the image
    "app/internal/items/testdata/case.json",
    "app/bench/loadgen/main.go",
    "app/README.md",
    "app/compose.yaml",
    "app/internal/items/.handler.go.swp",
    "app/internal/items/handler.go~",
    "app/internal/items/.#handler.go",
    "Pulumi.dev.yaml",
    "README.md",
    "test/composition.test.ts",
    ".pulumi/stacks/goapi/local.json",
  ])("%s changes nothing the local stack runs", (file) => {
    expect(sourceKind(file)).toBeUndefined();
  });
});

describe("watchSources", () => {
  it("turns a burst of saves into one change, relevant files only", async () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-watch-"));
    fs.mkdirSync(path.join(repo, "app", "internal", "items"), { recursive: true });
    fs.mkdirSync(path.join(repo, "components"));
    const changes: Change[] = [];
    const watcher = watchSources(repo, (c) => changes.push(c), 100);
    try {
      fs.writeFileSync(path.join(repo, "app", "internal", "items", "handler.go"), "package items\n");
      fs.writeFileSync(path.join(repo, "app", "internal", "items", "handler_test.go"), "package items\n");
      fs.writeFileSync(path.join(repo, "index.ts"), "export {};\n");
      fs.writeFileSync(path.join(repo, "README.md"), "#\n");
      const end = Date.now() + 5000;
      while (changes.length === 0 && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(changes).toHaveLength(1);
      expect(changes[0]?.paths).toEqual([path.join("app", "internal", "items", "handler.go"), "index.ts"]);
      expect([...(changes[0]?.kinds ?? [])].sort()).toEqual(["app", "program"]);
    } finally {
      watcher.close();
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  it("keeps seeing a file saved by a rename (an editor's atomic save, sed -i), each time, and files in folders made later", async () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-watch-"));
    fs.mkdirSync(path.join(repo, "app", "internal", "api"), { recursive: true });
    fs.mkdirSync(path.join(repo, "components"));
    const ops = path.join(repo, "app", "internal", "api", "ops.go");
    fs.writeFileSync(ops, "package api // 0\n");
    const changes: Change[] = [];
    const watcher = watchSources(repo, (c) => changes.push(c), 100);
    const settled = () => new Promise((r) => setTimeout(r, 400));
    const atomicSave = (file: string, text: string) => {
      const scratch = path.join(path.dirname(file), ".ops.go.tmp");
      fs.writeFileSync(scratch, text);
      fs.renameSync(scratch, file);
    };
    try {
      for (const n of [1, 2, 3]) {
        atomicSave(ops, `package api // ${String(n)}\n`);
        await settled();
      }
      fs.writeFileSync(ops, "package api // 4\n");
      await settled();
      fs.mkdirSync(path.join(repo, "app", "internal", "feature", "deep"), { recursive: true });
      await settled();
      fs.writeFileSync(path.join(repo, "app", "internal", "feature", "deep", "new.go"), "package deep\n");
      await settled();
      const opsRel = path.join("app", "internal", "api", "ops.go");
      expect(changes.map((c) => c.paths)).toEqual([[opsRel], [opsRel], [opsRel], [opsRel], [path.join("app", "internal", "feature", "deep", "new.go")]]);
    } finally {
      watcher.close();
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  it("starts nothing for a file written again as it was, at the start or since the last change; a deletion is a change", async () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-watch-"));
    fs.mkdirSync(path.join(repo, "app", "internal"), { recursive: true });
    fs.mkdirSync(path.join(repo, "components"));
    const handler = path.join(repo, "app", "internal", "handler.go");
    const stackFile = path.join(repo, "Pulumi.local.yaml");
    fs.writeFileSync(handler, "package internal\n");
    fs.writeFileSync(stackFile, "config: {}\n");
    const changes: Change[] = [];
    const watcher = watchSources(repo, (c) => changes.push(c), 100);
    const settled = () => new Promise((r) => setTimeout(r, 400));
    try {
      // The stack file rewritten as it was (what an engine update may do), a Go file saved unedited.
      fs.writeFileSync(stackFile, "config: {}\n");
      fs.writeFileSync(handler, "package internal\n");
      await settled();
      expect(changes).toEqual([]);
      fs.writeFileSync(handler, "package internal // edited\n");
      await settled();
      fs.writeFileSync(handler, "package internal // edited\n");
      await settled();
      fs.rmSync(stackFile);
      await settled();
      expect(changes.map((c) => c.paths)).toEqual([[path.join("app", "internal", "handler.go")], ["Pulumi.local.yaml"]]);
    } finally {
      watcher.close();
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });
});
