// Saved files, from the kernel's notifications: no polling, no dependency.
// One non-recursive fs.watch per folder of app/ and components/ (and the
// repository's top level), folders made later included: a folder's watch
// reports its entries by name, so a file an editor replaces by a rename
// (an "atomic" save, sed -i) stays watched. Node's recursive fs.watch on
// Linux watches each file it found, and stops reporting a file after the
// first such save. Each burst of saves becomes one call, after the files have
// been quiet for `quietMs`. A file written again with the content it had (a
// save without an edit, a tool rewriting the stack file as it was) changes
// nothing, so it starts no update: each file's content is compared with the
// one last acted on (or found at the start); so is an editor's temporary file
// that came and went.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { sourceKind, type SourceKind } from "./sources";

export interface Change {
  paths: string[];
  kinds: Set<SourceKind>;
}

export interface Watcher {
  close(): void;
}

/** The content of a file as a digest; "" when it cannot be read (deleted, or a folder). */
function contentOf(file: string): string {
  try {
    return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  } catch {
    return "";
  }
}

export function watchSources(repo: string, onChange: (c: Change) => void, quietMs = 200): Watcher {
  const kindOf = (rel: string) => sourceKind(rel.split(path.sep).join("/"));
  const contents = new Map<string, string>();
  const remember = (rel: string) => {
    if (kindOf(rel) !== undefined) {
      contents.set(rel, contentOf(path.join(repo, rel)));
    }
  };

  const seen = new Map<string, SourceKind>();
  let timer: NodeJS.Timeout | undefined;
  const note = (rel: string) => {
    const kind = kindOf(rel);
    if (kind === undefined) {
      return;
    }
    seen.set(rel, kind);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const changed = [...seen].filter(([file]) => {
        const now = contentOf(path.join(repo, file));
        const same = (contents.get(file) ?? "") === now;
        contents.set(file, now);
        return !same;
      });
      seen.clear();
      if (changed.length > 0) {
        onChange({ paths: changed.map(([file]) => file).sort(), kinds: new Set(changed.map(([, k]) => k)) });
      }
    }, quietMs);
  };
  const watchers = new Map<string, fs.FSWatcher>();
  const watchFolder = (rel: string) => {
    const abs = path.join(repo, rel);
    if (watchers.has(rel) || !fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory()) {
      return;
    }
    const watcher = fs.watch(abs, (_, file) => {
      if (file === null) {
        return;
      }
      const entry = path.join(rel, file);
      if (rel !== "" && fs.statSync(path.join(repo, entry), { throwIfNoEntry: false })?.isDirectory()) {
        watchTree(entry);
      }
      note(entry);
    });
    // A folder that was deleted: its watch ends.
    watcher.on("error", () => {
      watcher.close();
      watchers.delete(rel);
    });
    watchers.set(rel, watcher);
  };
  // At the start (atStart) each source file's content is the baseline; in a folder made
  // later, every file found is new, so none is.
  const watchTree = (rel: string, atStart = false) => {
    watchFolder(rel);
    for (const entry of fs.readdirSync(path.join(repo, rel), { withFileTypes: true, recursive: true })) {
      const entryRel = path.relative(repo, path.join(entry.parentPath, entry.name));
      if (entry.isDirectory()) {
        watchFolder(entryRel);
      } else if (atStart) {
        remember(entryRel);
      }
    }
  };
  watchFolder("");
  fs.readdirSync(repo).forEach(remember);
  watchTree("app", true);
  watchTree("components", true);
  return {
    close() {
      clearTimeout(timer);
      watchers.forEach((w) => {
        w.close();
      });
      watchers.clear();
    },
  };
}
