// The summary line: how many resources each kind of operation touches, as the
// engine counted them.
import type { Preview } from "./preview";

export interface Counts {
  create: number;
  update: number;
  replace: number;
  delete: number;
  same: number;
}

export function countsOf(preview: Preview): Counts {
  const s = preview.changeSummary ?? {};
  const n = (...ops: string[]) => ops.reduce((sum, op) => sum + (s[op] ?? 0), 0);
  return {
    create: n("create", "import"),
    update: n("update"),
    replace: n("replace"),
    delete: n("delete", "discard"),
    same: n("same"),
  };
}

export function summaryLine(c: Counts): string {
  // Destructive first, as everywhere in the report.
  const parts = [
    c.delete > 0 ? `${c.delete} to delete` : "",
    c.replace > 0 ? `${c.replace} to replace` : "",
    c.create > 0 ? `${c.create} to create` : "",
    c.update > 0 ? `${c.update} to update` : "",
  ].filter((p) => p !== "");
  const changes = parts.length > 0 ? parts.join(", ") : "no changes";
  return c.same > 0 ? `${changes}, ${c.same} unchanged` : changes;
}
