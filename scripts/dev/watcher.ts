// Saved files, from the kernel's notifications (fs.watch, recursive on Linux
// and macOS since Node 20): no polling, no dependency. Each burst of saves
// (an editor writes a temporary file, renames it, touches it again) becomes
// one call, after the files have been quiet for `quietMs`. A file written
// again with the content it had (a save without an edit, a tool rewriting the
// stack file as it was) changes nothing, so it starts no update: each file's
// content is compared with the one last acted on (or found at the start).
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
  for (const dir of ["app", "components"]) {
    for (const name of fs.readdirSync(path.join(repo, dir), { recursive: true, encoding: "utf8" })) {
      const rel = path.join(dir, name);
      if (kindOf(rel) !== undefined) {
        contents.set(rel, contentOf(path.join(repo, rel)));
      }
    }
  }
  for (const rel of fs.readdirSync(repo).filter((f) => kindOf(f) !== undefined)) {
    contents.set(rel, contentOf(path.join(repo, rel)));
  }

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
        const same = contents.get(file) === now;
        contents.set(file, now);
        return !same;
      });
      seen.clear();
      if (changed.length > 0) {
        onChange({ paths: changed.map(([file]) => file).sort(), kinds: new Set(changed.map(([, k]) => k)) });
      }
    }, quietMs);
  };
  const watchers = [
    ...["app", "components"].map((dir) =>
      fs.watch(path.join(repo, dir), { recursive: true }, (_, file) => {
        if (file !== null) {
          note(path.join(dir, file));
        }
      }),
    ),
    fs.watch(repo, (_, file) => {
      if (file !== null) {
        note(file);
      }
    }),
  ];
  return {
    close() {
      clearTimeout(timer);
      watchers.forEach((w) => {
        w.close();
      });
    },
  };
}
