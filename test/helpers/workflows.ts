// The GitHub workflows as data, for the tests that hold them to their rules.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export const root = path.join(__dirname, "..", "..");
export const readRepoFile = (file: string): string => fs.readFileSync(path.join(root, file), "utf8");

export interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "working-directory"?: string;
}

export interface Job {
  name?: string;
  if?: string;
  needs?: string | string[];
  uses?: string;
  "runs-on"?: string;
  "timeout-minutes"?: number;
  permissions?: Record<string, string>;
  environment?: string | { name: string; url?: string };
  concurrency?: unknown;
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  strategy?: { "fail-fast"?: boolean; matrix?: { stack?: string[] } };
  steps?: Step[];
}

export interface Workflow {
  name: string;
  on: Record<string, Record<string, unknown> | null>;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean | string };
  jobs: Record<string, Job>;
}

export const workflowFiles = fs
  .readdirSync(path.join(root, ".github/workflows"))
  .filter((f) => f.endsWith(".yml"))
  .sort();

const loaded = new Map(workflowFiles.map((f) => [f, parse(readRepoFile(`.github/workflows/${f}`)) as Workflow]));

export function workflow(file: string): Workflow {
  const w = loaded.get(file);
  if (w === undefined) {
    throw new Error(`no .github/workflows/${file}`);
  }
  return w;
}

export function job(file: string, name: string): Job {
  const j = workflow(file).jobs[name];
  if (j === undefined) {
    throw new Error(`${file} has no job ${name}`);
  }
  return j;
}

/** Every job of every workflow, as [file, job name, job]. */
export const allJobs: [string, string, Job][] = workflowFiles.flatMap((f) =>
  Object.entries(workflow(f).jobs).map(([name, j]): [string, string, Job] => [f, name, j]),
);

export const stepsOf = (j: Job): Step[] => j.steps ?? [];

export function needsOf(j: Job): string[] {
  if (j.needs === undefined) {
    return [];
  }
  return typeof j.needs === "string" ? [j.needs] : j.needs;
}

/** The jobs a job waits for, directly or through others. */
export function ancestors(file: string, name: string): Set<string> {
  const seen = new Set<string>();
  const visit = (n: string) => {
    for (const dep of needsOf(job(file, n))) {
      if (!seen.has(dep)) {
        seen.add(dep);
        visit(dep);
      }
    }
  };
  visit(name);
  return seen;
}

export function environmentOf(j: Job): string | undefined {
  return typeof j.environment === "string" ? j.environment : j.environment?.name;
}

/** The names of the secrets an expression-bearing text refers to (secrets.X, secrets['X'], secrets[format(...)]). */
export function secretsIn(text: string): string[] {
  const names = [...text.matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? "");
  const indexed = [...text.matchAll(/secrets\[([^\]]*)\]/g)].map((m) => {
    const inner = m[1] ?? "";
    const format = /format\('([^']*)'/.exec(inner);
    return format?.[1] ?? inner.replace(/['"]/g, "");
  });
  return [...names, ...indexed];
}

/** Every string in a parsed YAML value with its path, e.g. ["jobs.plan.steps[4].env.STACK", "${{ ... }}"]. */
export function stringsIn(value: unknown, at = ""): [string, string][] {
  if (typeof value === "string") {
    return [[at, value]];
  }
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => stringsIn(v, `${at}[${i}]`));
  }
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => stringsIn(v, at === "" ? k : `${at}.${k}`));
  }
  return [];
}

/** Steps that run code of the checked-out commit: dependency installs, the program, the repository's scripts. */
export function runsCheckedOutCode(s: Step): boolean {
  return s.run !== undefined && /\bnpm (ci|cit|install|test|run)\b|scripts\/|\bpulumi\b|\.ci\/run/.test(s.run);
}
