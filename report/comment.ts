// The pull-request comment for one stack: flags first, then images, policy,
// errors and the table of changes, cut to fit GitHub's comment limit (saying
// what was cut and where the full diff is).
import { Budget, clip, sizeOf } from "./budget";
import type { Change } from "./changes";
import { summaryLine } from "./counts";
import { cell, code, plain, table } from "./markdown";
import type { PolicyViolation } from "./policy-results";
import { resourceName } from "./resource-name";
import { ScrubOptions, scrubPaths } from "./scrub";
import type { StackReport } from "./stack-report";

/** GitHub refuses issue comments longer than this. */
export const commentLimit = 65_536;
/** Room kept for the closing lines (link, what was cut). */
const footerReserve = 1_024;
const maxFieldsShown = 12;
const maxMessage = 600;
const maxError = 4_000;
const maxIntro = 2_000;

export interface CommentOptions {
  /** Where the full `pulumi preview --diff` is (the job summary). */
  detailsUrl?: string;
  /** Markdown placed under the title: what was previewed (commit, state, image). */
  intro?: string;
  /** Defaults to GitHub's limit; tests use smaller ones. */
  limit?: number;
  scrub?: ScrubOptions;
}

/** The first line of every comment for `stack`: how the workflow finds the comment to edit (scripts/ci/pr-comment.sh). */
export function commentMarker(stack: string): string {
  return `<!-- goapi-preview:${stack} -->`;
}

interface Section {
  /** Lines always shown when the section is. */
  head: string[];
  items: string[];
  /** What an item is, one and many, for the cut notice: ["table row", "table rows"]. */
  noun: [string, string];
  tail?: string[];
  /**
   * The most of the whole comment this section's items may take, so a huge
   * list cannot crowd out the sections after it; what a section leaves
   * unused goes to the next. The table takes whatever remains.
   */
  share?: number;
}

const resource = (c: Pick<Change, "kind" | "name">) => `${c.kind} ${code(c.name)}`;

function fieldList(fields: string[]): string {
  const shown = fields.slice(0, maxFieldsShown).map(code).join(", ");
  return fields.length > maxFieldsShown ? `${shown} and ${fields.length - maxFieldsShown} more` : shown;
}

function destructiveSection(r: StackReport): Section {
  if (r.destructive.length === 0) {
    return { head: ["**Deletes or replaces something: no**"], items: [], noun: ["delete or replacement", "deletes and replacements"] };
  }
  return {
    head: ["**Deletes or replaces something: yes**", ""],
    items: r.destructive.map((c) => {
      const why = c.replaceFields.length > 0 ? `: ${fieldList(c.replaceFields)} forces it` : "";
      return `- **${c.op}** ${resource(c)}${why}`;
    }),
    noun: ["delete or replacement", "deletes and replacements"],
    share: 0.3,
  };
}

function restartSection(r: StackReport): Section {
  if (r.restarts.length === 0) {
    return { head: ["**Restarts pods: no**"], items: [], noun: ["restart", "restarts"] };
  }
  return {
    head: ["**Restarts pods: yes**", ""],
    items: r.restarts.map((x) => {
      switch (x.why) {
        case "replaced":
          return `- ${resource(x.change)} is replaced: every pod is recreated`;
        case "template":
          return `- ${resource(x.change)}: the pod template changes (${fieldList(x.fields)}), so its pods roll`;
        case "maybe":
          return `- ${resource(x.change)}: ${code("spec")} changes and the provider gave no detailed diff, so its pods may roll`;
      }
    }),
    noun: ["restart", "restarts"],
    share: 0.1,
  };
}

function imageSection(r: StackReport): Section {
  const show = (ref: string | undefined) => (ref === undefined ? "(none)" : code(ref));
  return {
    head: r.images.length > 0 ? ["**Image**", ""] : [],
    items: r.images.map((i) => `- ${resource(i.change)}, container ${code(i.container)}: ${show(i.from)} → ${show(i.to)}`),
    noun: ["image change", "image changes"],
    share: 0.1,
  };
}

function violationRow(v: PolicyViolation, scrub: ScrubOptions): string {
  const where = v.urn === "" ? "the stack" : resource(resourceName(v.urn));
  return `| ${v.mandatory ? "mandatory" : "advisory"} | ${code(v.policy)} | ${cell(where)} | ${cell(plain(clip(scrubPaths(v.message, scrub), maxMessage)))} |`;
}

function policySection(r: StackReport, scrub: ScrubOptions): Section {
  const p = r.policy;
  if (p === undefined) {
    return { head: ["**Policy:** not reported (`pulumi preview --json` prints policy results only with `PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true`)"], items: [], noun: ["policy finding", "policy findings"] };
  }
  const packs = Object.entries(p.packs).map(([name, version]) => `${code(name)} ${version}`).join(", ");
  if (packs === "" && p.mandatory.length + p.advisory.length === 0) {
    return { head: ["**Policy:** no policy pack ran"], items: [], noun: ["policy finding", "policy findings"] };
  }
  const checked = p.rules.length > 0 ? `${p.rules.length} rules, ` : "";
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const verdict =
    p.mandatory.length > 0
      ? `${checked}${plural(p.mandatory.length, "mandatory violation")} (these fail preview and up)`
      : p.advisory.length > 0
        ? `${checked}no mandatory violations`
        : r.errors.length > 0
          ? // The program stopped early: the rules saw only what it declared until then.
            `${checked}no findings on what the program declared before it failed`
          : `${checked}all pass`;
  const advisory = p.advisory.length > 0 ? `, ${plural(p.advisory.length, "advisory finding")}` : "";
  const violations = [...p.mandatory, ...p.advisory];
  return {
    head: [`**Policy** ${packs}: ${verdict}${advisory}`, ...(violations.length > 0 ? ["", "| level | rule | resource | finding |", "| --- | --- | --- | --- |"] : [])],
    items: violations.map((v) => violationRow(v, scrub)),
    noun: ["policy finding", "policy findings"],
    share: 0.2,
  };
}

function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = "`".repeat(longest + 1);
  return `${f}text\n${text}\n${f}`;
}

function errorSection(r: StackReport, scrub: ScrubOptions): Section {
  return {
    head: r.errors.length > 0 ? ["**The preview failed:**", ""] : [],
    items: r.errors.map((e) => fence(clip(scrubPaths((e.message ?? "").trim(), scrub), maxError))),
    noun: ["error", "errors"],
    share: 0.15,
  };
}

function changeSection(r: StackReport): Section {
  if (r.changes.length === 0) {
    return { head: ["No resource changes."], items: [], noun: ["table row", "table rows"] };
  }
  const [header, rule] = table(["operation", "kind", "name", "changed fields"], []).split("\n");
  return {
    head: [header ?? "", rule ?? ""],
    items: r.changes.map((c) => `| ${c.op} | ${cell(c.kind)} | ${cell(code(c.name))} | ${cell(fieldList(c.fields))} |`),
    noun: ["table row", "table rows"],
  };
}

function warningSection(r: StackReport, scrub: ScrubOptions): Section {
  return {
    head: r.warnings.length > 0 ? ["<details><summary>Warnings</summary>", ""] : [],
    items: r.warnings.map((w) => `- ${plain(clip(scrubPaths((w.message ?? "").trim(), scrub), maxMessage))}`),
    noun: ["warning", "warnings"],
    tail: r.warnings.length > 0 ? ["", "</details>"] : [],
    share: 0.05,
  };
}

export function renderComment(r: StackReport, opts: CommentOptions = {}): string {
  const scrub = opts.scrub ?? {};
  const total = (opts.limit ?? commentLimit) - footerReserve;
  const budget = new Budget(total);
  const out: string[] = [];
  const cut: string[] = [];
  const add = (line: string) => {
    if (budget.take(`${line}\n`)) {
      out.push(line);
      return true;
    }
    return false;
  };

  const title = `### Preview of ${code(r.stack)}: ${summaryLine(r.counts)}${r.errors.length > 0 ? " (failed)" : ""}`;
  add(commentMarker(r.stack));
  add(title);
  if (opts.intro !== undefined && opts.intro.trim() !== "") {
    add("");
    add(clip(scrubPaths(opts.intro.trim(), scrub), maxIntro));
  }
  const sections = [destructiveSection(r), restartSection(r), imageSection(r), policySection(r, scrub), errorSection(r, scrub), changeSection(r), warningSection(r, scrub)];
  for (const s of sections) {
    if (s.head.length === 0 && s.items.length === 0) {
      continue;
    }
    const count = (n: number) => `${n} ${s.noun[n === 1 ? 0 : 1]}`;
    // A section is worth starting only if its head and a notice of what was cut fit.
    const notice = `- … ${count(s.items.length)} not shown here: see the full diff`;
    if (sizeOf([...s.head, ...(s.tail ?? []), notice].join("\n")) + 8 > budget.remaining) {
      if (s.items.length > 0) {
        cut.push(count(s.items.length));
      }
      continue;
    }
    add("");
    s.head.forEach(add);
    let shown = 0;
    let spent = 0;
    const cap = s.share === undefined ? Infinity : s.share * total;
    for (const item of s.items) {
      const size = sizeOf(`${item}\n`);
      if (spent + size > cap || !budget.take(`${item}\n`, sizeOf(`${notice}\n${(s.tail ?? []).join("\n")}\n`))) {
        break;
      }
      out.push(item);
      spent += size;
      shown++;
    }
    // Room for these two was kept back with each item.
    const closing: string[] = [];
    if (shown < s.items.length) {
      const left = s.items.length - shown;
      closing.push(`- … ${count(left)} not shown here: see the full diff`);
      cut.push(count(left));
    }
    closing.push(...(s.tail ?? []));
    for (const line of closing) {
      budget.spend(`${line}\n`);
      out.push(line);
    }
  }

  // The footer was reserved up front, so it always fits.
  out.push("");
  if (cut.length > 0) {
    out.push(`**Shortened to fit GitHub's ${commentLimit.toLocaleString("en-US")}-character comment limit:** left out ${cut.join(", ")}.`);
  }
  if (opts.detailsUrl !== undefined) {
    out.push(`The full \`pulumi preview --diff\` is in the [job summary](${opts.detailsUrl}).`);
  }
  return `${out.join("\n")}\n`;
}
