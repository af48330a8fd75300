// The components/ groups' scores file by file, from each group's last report
// (reports/mutation/components/<group>/mutation.json), and the files of
// components/ that no group judges. Run by scripts/mutation/run.sh after the
// groups; `node scripts/mutation/summary.mjs` prints it again.
import console from "node:console";
import * as fs from "node:fs";
import * as path from "node:path";
import process from "node:process";
import { componentGroups } from "./component-groups.mjs";

// Stryker's score: killed and timed out over every valid mutant (not covered included).
const detected = new Set(["Killed", "Timeout"]);
const invalid = new Set(["CompileError", "RuntimeError", "Ignored"]);

const rows = [];
let missing = 0;
for (const group of Object.keys(componentGroups)) {
  const report = path.join("reports", "mutation", "components", group, "mutation.json");
  if (!fs.existsSync(report)) {
    console.log(`components/${group}: no report yet (npm run test:mutation -- components/${group})`);
    missing++;
    continue;
  }
  const { files } = JSON.parse(fs.readFileSync(report, "utf8"));
  // A report written before a file moved to another group still lists it: only the group's own count.
  const own = new Set(componentGroups[group].mutate);
  for (const [file, { mutants }] of Object.entries(files).filter(([f]) => own.has(f))) {
    const valid = mutants.filter((m) => !invalid.has(m.status));
    const killed = valid.filter((m) => detected.has(m.status)).length;
    const survived = valid
      .filter((m) => !detected.has(m.status))
      .sort((a, b) => a.location.start.line - b.location.start.line)
      .map((m) => `${String(m.location.start.line)}:${m.mutatorName}`);
    rows.push({ group, file, killed, total: valid.length, survived });
  }
}

let killed = 0;
let total = 0;
for (const r of rows.sort((a, b) => a.file.localeCompare(b.file))) {
  killed += r.killed;
  total += r.total;
  const score = r.total === 0 ? "no mutants" : `${((100 * r.killed) / r.total).toFixed(2)} % (${String(r.killed)}/${String(r.total)})`;
  console.log(`${r.file.padEnd(36)} ${score.padEnd(22)} [${r.group}]${r.survived.length > 0 ? ` left: ${r.survived.join(" ")}` : ""}`);
}
if (total > 0) {
  console.log(`components/ ${((100 * killed) / total).toFixed(2)} % (${String(killed)}/${String(total)})${missing > 0 ? `, ${String(missing)} group(s) without a report` : ""}`);
}

const grouped = new Set(Object.values(componentGroups).flatMap((g) => g.mutate));
const ungrouped = fs
  .readdirSync("components")
  .filter((f) => f.endsWith(".ts"))
  .map((f) => `components/${f}`)
  .filter((f) => !grouped.has(f));
if (ungrouped.length > 0) {
  console.log(`in no group of scripts/mutation/component-groups.mjs, so never judged: ${ungrouped.join(", ")}`);
  process.exitCode = 1;
}
