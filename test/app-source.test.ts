import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { appSource, AppSource, AppSourceError, contentTag } from "../components/app-source";
import { gitRepo, removeGitRepos } from "./helpers/git-repo";

// fs as it is, with mkdtempSync recorded: where appSource makes its scratch folder.
jest.mock("node:fs", () => {
  const actual = jest.requireActual<typeof fs>("node:fs");
  return { ...actual, mkdtempSync: jest.fn(actual.mkdtempSync) };
});

const app = { "app/main.go": "package main\n", "app/go.mod": "module goapi\n" };

function sourceOf(dir: string): AppSource {
  const source = appSource(dir);
  if (source === undefined) {
    throw new Error(`${dir} is not in a git work tree`);
  }
  return source;
}

afterAll(removeGitRepos);

describe("appSource: the image's identity is app/'s content", () => {
  it("tags a clean checkout with the tree of app/ in HEAD", () => {
    const repo = gitRepo();
    const commit = repo.commit("app", app);
    const source = sourceOf(path.join(repo.root, "app"));
    expect(source).toEqual({ tree: repo.git("rev-parse", "HEAD:app"), dirty: false, commit });
    expect(contentTag(source)).toBe(repo.git("rev-parse", "HEAD:app").slice(0, 12));
  });

  it("keeps tag and COMMIT when a commit outside app/ lands (not HEAD)", () => {
    const repo = gitRepo();
    const appCommit = repo.commit("app", app);
    const before = sourceOf(path.join(repo.root, "app"));
    const docsCommit = repo.commit("docs only", { "README.md": "# docs\n" });
    const after = sourceOf(path.join(repo.root, "app"));
    expect(after).toEqual(before);
    expect(after.commit).toBe(appCommit);
    expect(contentTag(after)).not.toBe(docsCommit.slice(0, 12));
  });

  it("names content, not history: reverting a change to app/ brings the old tag back", () => {
    const repo = gitRepo();
    repo.commit("app", app);
    const original = sourceOf(path.join(repo.root, "app"));
    repo.commit("change", { "app/main.go": "package main // changed\n" });
    expect(contentTag(sourceOf(path.join(repo.root, "app")))).not.toBe(contentTag(original));
    const revert = repo.commit("revert", app);
    const reverted = sourceOf(path.join(repo.root, "app"));
    // The last commit touching app/ is the revert, yet the content is the original's.
    expect(reverted.commit).toBe(revert);
    expect(contentTag(reverted)).toBe(contentTag(original));
    expect(contentTag(reverted)).not.toBe(revert.slice(0, 12));
  });

  it("gives the same tag in a depth-1 clone, and no COMMIT it cannot prove", () => {
    const repo = gitRepo();
    repo.commit("app", app);
    repo.commit("docs only", { "README.md": "# docs\n" });
    const full = sourceOf(path.join(repo.root, "app"));
    const clone = repo.shallowClone(1);
    expect(clone.git("rev-parse", "--is-shallow-repository")).toBe("true");
    const shallow = sourceOf(path.join(clone.root, "app"));
    expect(shallow.tree).toBe(full.tree);
    expect(shallow.dirty).toBe(false);
    // git log -- app names the docs commit here (the clone's only commit); that is not app/'s last change.
    expect(clone.git("log", "-1", "--format=%H", "--", "app")).toBe(clone.git("rev-parse", "HEAD"));
    expect(shallow.commit).toBe("unknown");
  });

  it("names the last change to app/ in a shallow clone deep enough to see it", () => {
    const repo = gitRepo();
    repo.commit("app v1", app);
    repo.commit("app v2", { "app/main.go": "package main // v2\n" });
    const v3 = repo.commit("app v3", { "app/main.go": "package main // v3\n" });
    repo.commit("docs only", { "README.md": "# docs\n" });
    const clone = repo.shallowClone(3);
    expect(sourceOf(path.join(clone.root, "app")).commit).toBe(v3);
  });

  describe("with local changes", () => {
    it("hashes what is on disk, marks tag and COMMIT dirty, and the tree is what committing would record", () => {
      const repo = gitRepo();
      const appCommit = repo.commit("app", app);
      repo.write("app/main.go", "package main // local edit\n");
      repo.write("app/new.go", "package main\n");
      const dirty = sourceOf(path.join(repo.root, "app"));
      expect(dirty.dirty).toBe(true);
      expect(dirty.tree).not.toBe(repo.git("rev-parse", "HEAD:app"));
      expect(contentTag(dirty)).toBe(`${dirty.tree.slice(0, 12)}-dirty`);
      expect(dirty.commit).toBe(`${appCommit}-dirty`);
      repo.git("add", "--all");
      repo.git("commit", "--quiet", "--no-gpg-sign", "-m", "commit the edit");
      expect(repo.git("rev-parse", "HEAD:app")).toBe(dirty.tree);
    });

    it("ignores what git ignores", () => {
      const repo = gitRepo();
      repo.commit("app", app);
      repo.write("app/bin/api", "a build output\n");
      expect(sourceOf(path.join(repo.root, "app")).dirty).toBe(false);
    });

    it("leaves the repository's index, objects and status untouched", () => {
      const repo = gitRepo();
      repo.commit("app", app);
      repo.write("app/main.go", "package main // staged\n");
      repo.git("add", "app/main.go");
      repo.write("app/untracked.go", "package main\n");
      const index = fs.readFileSync(path.join(repo.root, ".git", "index"));
      const status = repo.git("status", "--porcelain");
      const objects = repo.git("count-objects", "-v");
      sourceOf(path.join(repo.root, "app"));
      expect(fs.readFileSync(path.join(repo.root, ".git", "index")).equals(index)).toBe(true);
      expect(repo.git("status", "--porcelain")).toBe(status);
      expect(repo.git("count-objects", "-v")).toBe(objects);
    });
  });

  it("keeps a tracked file that .gitignore matches, as a commit of app/ would", () => {
    const repo = gitRepo();
    repo.commit("app", { ...app, "app/bin/keep.txt": "tracked before it was ignored\n" });
    const source = sourceOf(path.join(repo.root, "app"));
    expect(source).toMatchObject({ tree: repo.git("rev-parse", "HEAD:app"), dirty: false });
  });

  it("hashes an app/ not yet committed, dirty, with no COMMIT to name", () => {
    const repo = gitRepo();
    repo.commit("docs only", { "README.md": "# docs\n" });
    for (const [file, content] of Object.entries(app)) {
      repo.write(file, content);
    }
    const source = sourceOf(path.join(repo.root, "app"));
    expect(source.commit).toBe("unknown-dirty");
    expect(source.dirty).toBe(true);
    repo.commit("app", app);
    expect(source.tree).toBe(repo.git("rev-parse", "HEAD:app"));
  });

  it("hashes app/ in a repository without any commit yet", () => {
    const repo = gitRepo();
    for (const [file, content] of Object.entries(app)) {
      repo.write(file, content);
    }
    const source = sourceOf(path.join(repo.root, "app"));
    expect(source.commit).toBe("unknown-dirty");
    repo.commit("app", app);
    expect(source.tree).toBe(repo.git("rev-parse", "HEAD:app"));
  });

  it("works on a directory that is the top of its repository", () => {
    const repo = gitRepo();
    const commit = repo.commit("app", { "main.go": "package main\n", "go.mod": "module goapi\n" });
    expect(sourceOf(repo.root)).toEqual({ tree: repo.git("rev-parse", "HEAD^{tree}"), dirty: false, commit });
  });

  it("hashes in a scratch folder of its own in the temporary directory, and removes it", () => {
    const repo = gitRepo();
    repo.commit("app", app);
    const mkdtemp = jest.mocked(fs.mkdtempSync);
    mkdtemp.mockClear();
    sourceOf(path.join(repo.root, "app"));
    const made = mkdtemp.mock.results.map((r) => String(r.value));
    expect(made).toHaveLength(1);
    for (const dir of made) {
      expect(path.dirname(dir)).toBe(os.tmpdir());
      expect(fs.existsSync(dir)).toBe(false);
    }
  });

  it("says what git said when it fails on a repository it manages", () => {
    const repo = gitRepo();
    repo.commit("app", app);
    // A damaged store: app/'s tree object is gone, the commit that names it is not.
    const tree = repo.git("rev-parse", "HEAD:app");
    fs.rmSync(path.join(repo.root, ".git", "objects", tree.slice(0, 2), tree.slice(2)));
    const dir = path.join(repo.root, "app");
    expect(() => appSource(dir)).toThrow(AppSourceError);
    expect(() => appSource(dir)).toThrow(new RegExp(`^cannot read the git identity of ${dir}: \\S.*${tree}$`));
  });

  it("says how git failed when it failed without a word", () => {
    const repo = gitRepo();
    repo.commit("app", app);
    // A git that refuses to write trees, silently, in front of the real one.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-git-bin-"));
    const real = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
    fs.writeFileSync(path.join(bin, "git"), `#!/bin/sh\nfor a; do [ "$a" = write-tree ] && exit 1; done\nexec ${real} "$@"\n`, { mode: 0o755 });
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved ?? ""}`;
    const dir = path.join(repo.root, "app");
    try {
      expect(() => appSource(dir)).toThrow(new RegExp(`^cannot read the git identity of ${dir}: Error: Command failed: git write-tree`));
    } finally {
      process.env.PATH = saved;
      fs.rmSync(bin, { recursive: true });
    }
  });

  it("says what went wrong when it could not make its scratch folder", () => {
    const repo = gitRepo();
    repo.commit("app", app);
    jest.mocked(fs.mkdtempSync).mockImplementationOnce(() => {
      throw new Error("ENOSPC: no space left on device, mkdtemp");
    });
    const dir = path.join(repo.root, "app");
    expect(() => appSource(dir)).toThrow(`cannot read the git identity of ${dir}: Error: ENOSPC: no space left on device, mkdtemp`);
  });

  it("is undefined outside a git work tree", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-no-git-"));
    expect(appSource(dir)).toBeUndefined();
    fs.rmSync(dir, { recursive: true });
  });
});
