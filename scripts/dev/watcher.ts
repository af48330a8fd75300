// Saved files, from the kernel's notifications (fs.watch, recursive on Linux
// and macOS since Node 20): no polling, no dependency. Each burst of saves
// (an editor writes a temporary file, renames it, touches it again) becomes
// one call, after the files have been quiet for `quietMs`.
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

export function watchSources(repo: string, onChange: (c: Change) => void, quietMs = 200): Watcher {
  const seen = new Map<string, SourceKind>();
  let timer: NodeJS.Timeout | undefined;
  const note = (rel: string) => {
    const kind = sourceKind(rel.split(path.sep).join("/"));
    if (kind === undefined) {
      return;
    }
    seen.set(rel, kind);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const change = { paths: [...seen.keys()].sort(), kinds: new Set(seen.values()) };
      seen.clear();
      onChange(change);
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
