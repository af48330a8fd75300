// Throwaway git repositories for tests of what the program reads from git,
// isolated from the user's and the machine's git configuration.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const isolated: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
};

export interface GitRepo {
  root: string;
  git(...args: string[]): string;
  write(file: string, content: string): void;
  /** Writes the files and commits them; returns the new commit id. */
  commit(message: string, files: Record<string, string>): string;
  /** A `git clone --depth <depth>` of this repository, as actions/checkout makes one. */
  shallowClone(depth: number): GitRepo;
}

const made: string[] = [];

/** Removes every repository and clone this module made. */
export function removeGitRepos(): void {
  for (const dir of made.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function open(root: string): GitRepo {
  made.push(root);
  const git = (...args: string[]) => execFileSync("git", args, { cwd: root, env: isolated, encoding: "utf8" }).trim();
  const write = (file: string, content: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  };
  return {
    root,
    git,
    write,
    commit(message, files) {
      for (const [file, content] of Object.entries(files)) {
        write(file, content);
      }
      git("add", "--all");
      git("commit", "--quiet", "--no-gpg-sign", "-m", message);
      return git("rev-parse", "HEAD");
    },
    shallowClone(depth) {
      const target = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-git-clone-"));
      execFileSync("git", ["clone", "--quiet", `--depth=${depth}`, `file://${root}`, target], { env: isolated });
      return open(target);
    },
  };
}

/** A new repository with a .gitignore, as most projects have one. */
export function gitRepo(): GitRepo {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-git-"));
  const repo = open(root);
  repo.git("init", "--quiet", "--initial-branch=main");
  repo.write(".gitignore", "/app/bin/\n");
  return repo;
}
