// What the image is built from, as git knows it: a content address of app/
// for the tag, and the commit to stamp into the binary. Both depend on app/
// alone, so commits elsewhere in the repository (docs, workflows, the Pulumi
// program) change neither the tag nor the build arguments, and so never
// rebuild the image or roll the pods.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface AppSource {
  /**
   * The git tree id of the directory as it is on disk: tracked files with
   * their local changes plus untracked files that are not ignored. In a clean
   * checkout it is `git rev-parse HEAD:<dir>`, which a shallow clone has too.
   */
  tree: string;
  /** The directory differs from its tree in HEAD (local changes or new files). */
  dirty: boolean;
  /**
   * The last commit that changed the directory, "unknown" where the history
   * cannot tell (a shallow clone cut before that commit), and "-dirty"
   * appended when the directory differs from HEAD.
   */
  commit: string;
}

/** Thrown when git fails on a directory it does manage. */
export class AppSourceError extends Error {}

type Git = (args: string[], env?: NodeJS.ProcessEnv) => string;

/**
 * Reads `dir`'s identity from git without touching the repository: the
 * working-tree hash is written with a scratch index and object store.
 * Returns undefined when `dir` is not inside a git work tree (or git is
 * missing), so callers can decide whether they need it.
 */
export function appSource(dir: string): AppSource | undefined {
  const git: Git = (args, env) =>
    execFileSync("git", args, { cwd: dir, encoding: "utf8", env: env ?? process.env, stdio: ["ignore", "pipe", "pipe"] }).trim();
  const tryGit = (args: string[]): string | undefined => {
    try {
      return git(args);
    } catch {
      return undefined;
    }
  };
  if (tryGit(["rev-parse", "--is-inside-work-tree"]) !== "true") {
    return undefined;
  }
  try {
    const prefix = git(["rev-parse", "--show-prefix"]);
    const headTree = tryGit(["rev-parse", "--verify", "--quiet", `HEAD:${prefix}`]);
    const gitPath = (name: string) => path.resolve(dir, git(["rev-parse", "--git-path", name]));
    const tree = workingTree(git, gitPath("objects"), prefix, headTree);
    const dirty = tree !== headTree;
    const commit = lastChange(tryGit, gitPath("shallow"));
    return { tree, dirty, commit: dirty ? `${commit}-dirty` : commit };
  } catch (e) {
    const stderr = (e as { stderr?: unknown }).stderr;
    throw new AppSourceError(`cannot read the git identity of ${dir}: ${typeof stderr === "string" && stderr !== "" ? stderr.trim() : String(e)}`);
  }
}

/** The tree id of `prefix` as on disk, hashed into a scratch index and object store. */
function workingTree(git: Git, objects: string, prefix: string, headTree: string | undefined): string {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-app-tree-"));
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GIT_INDEX_FILE: path.join(scratch, "index"),
      // New objects go to the scratch store; existing ones are read from the repository's.
      GIT_OBJECT_DIRECTORY: path.join(scratch, "objects"),
      GIT_ALTERNATE_OBJECT_DIRECTORIES: objects,
    };
    fs.mkdirSync(path.join(scratch, "objects"));
    const under = prefix === "" ? [] : [`--prefix=${prefix}`];
    if (headTree !== undefined) {
      git(["read-tree", ...under, headTree], env);
    }
    git(["add", "--all", "--", "."], env);
    return git(["write-tree", ...under], env);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The last commit that changed the current directory. In a shallow clone the
 * oldest commits have no parents on record, so git reports them as adding
 * everything: such a commit proves nothing and gives "unknown".
 */
function lastChange(tryGit: (args: string[]) => string | undefined, shallowFile: string): string {
  const last = tryGit(["log", "-1", "--format=%H", "--", "."]) ?? "";
  if (last === "") {
    return "unknown";
  }
  const boundary = fs.existsSync(shallowFile) ? fs.readFileSync(shallowFile, "utf8").split("\n") : [];
  return boundary.includes(last) ? "unknown" : last;
}

/**
 * The image tag that names this content: the first 12 hex digits of the
 * tree, with "-dirty" when that tree is not committed, so a tag never claims
 * to be a commit's content when it holds local changes.
 */
export function contentTag(source: AppSource): string {
  const short = source.tree.slice(0, 12);
  return source.dirty ? `${short}-dirty` : short;
}
