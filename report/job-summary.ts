// The job summary for one stack: the same report, then the full
// `pulumi preview --diff` text, which has no room in a comment.
import { stripVTControlCharacters } from "node:util";
import { clip, sizeOf } from "./budget";
import { renderComment } from "./comment";
import { ScrubOptions, scrubPaths } from "./scrub";
import type { StackReport } from "./stack-report";

/** GitHub takes at most 1 MiB of summary per step; keep room for the report itself. */
export const summaryDiffLimit = 900 * 1024;

function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = "`".repeat(longest + 1);
  return `${f}diff\n${text}\n${f}`;
}

export interface SummaryOptions {
  scrub?: ScrubOptions;
  /** As in the comment: what was previewed. */
  intro?: string;
  /** Where the untruncated diff can be downloaded, if the summary must cut it. */
  artifactNote?: string;
}

export function renderJobSummary(r: StackReport, diffText: string | undefined, opts: SummaryOptions = {}): string {
  const scrub = opts.scrub ?? {};
  const report = renderComment(r, { scrub, intro: opts.intro }).split("\n").slice(1).join("\n");
  if (diffText === undefined) {
    return `${report}\n`;
  }
  const diff = scrubPaths(stripVTControlCharacters(diffText), scrub).trimEnd();
  const fits = sizeOf(diff) <= summaryDiffLimit;
  const shown = fits ? diff : clip(diff, summaryDiffLimit / 4);
  const cutNote = fits ? "" : `\nThe diff was cut at ${shown.length} characters to fit the job summary. ${opts.artifactNote ?? ""}\n`;
  return [report, `<details open><summary>Full <code>pulumi preview --diff</code> of ${r.stack}</summary>`, "", fenced(shown), "", "</details>", cutNote].join("\n") + "\n";
}
