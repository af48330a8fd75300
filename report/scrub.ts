// Local paths stay out of what the report publishes: error messages and stack
// traces carry the checkout, home and temp directories of the machine that ran
// the preview.
import * as os from "node:os";

export interface ScrubOptions {
  /** The checkout; shown as "." */
  root?: string;
  /** Further directories to hide, e.g. the runner's temp directory. */
  hide?: string[];
}

/**
 * Absolute paths under places that belong to one machine or user, and
 * project-relative URIs that climb out of the project (sourcePosition).
 */
const machinePath = /(?:project:\/\/\/(?:\.\.\/)+[^\s"'`<>()[\]{};]*|(?:file:\/\/)?(?:\/(?:home|Users|root|tmp|private|var\/folders|runner|github\/workspace)(?![\w.-])(?:\/[^\s"'`<>()[\]{},;:]*)?|[A-Za-z]:\\(?:Users|Windows\\Temp)\\[^\s"'`<>()[\]{},;:]*))/g;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `text` with the checkout shown as "." and every other machine path as "<path>". */
export function scrubPaths(text: string, opts: ScrubOptions = {}): string {
  let out = text;
  if (opts.root !== undefined && opts.root.length > 1) {
    const root = opts.root.replace(/\/+$/, "");
    out = out.replace(new RegExp(`(?:file://)?${escapeRegExp(root)}(?![\\w.-])`, "g"), ".");
  }
  for (const dir of [...(opts.hide ?? []), os.tmpdir(), os.homedir()]) {
    if (dir.length > 1) {
      out = out.replace(new RegExp(`(?:file://)?${escapeRegExp(dir.replace(/\/+$/, ""))}(?![\\w.-])(?:/[^\\s"'\`<>()[\\]{},;:]*)?`, "g"), "<path>");
    }
  }
  return out.replace(machinePath, "<path>");
}

/** Any machine path left in `text`, for tests and for a last check before publishing. */
export function machinePathsIn(text: string): string[] {
  return [...text.matchAll(machinePath)].map((m) => m[0]);
}
