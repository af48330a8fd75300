// npm run report -- --stack <stack> --json <preview.json> [--diff <diff.txt>] [--intro <file>]
//   [--details-url <url>] [--comment-out <file>] [--summary-out <file>] [--root <checkout>]
//   [--release <release.json>]
// --json is what `pulumi preview --json` printed: the digest, or (with
// PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true) the event stream, which also
// carries the policy results. Writes the pull-request comment for one stack
// (to --comment-out, or stdout) and appends the job summary with the full
// --diff text to --summary-out (e.g. "$GITHUB_STEP_SUMMARY"). --intro is
// Markdown for under the title (what was previewed: commit, state, image);
// --release adds the last canary release the deploy followed below it.
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { renderComment } from "./comment";
import { renderJobSummary } from "./job-summary";
import { describeRelease, readReleaseRecord } from "../rollout/release-record";
import { readPreviewOutput } from "./preview-output";
import { machinePathsIn } from "./scrub";
import { stackReport } from "./stack-report";

const usage = `usage: npm run report -- --stack <stack> --json <preview.json> [--diff <diff.txt>] [--intro <file>]
                         [--details-url <url>] [--comment-out <file>] [--summary-out <file>] [--root <dir>]
                         [--release <file>]`;

const help = `${usage}

Turns one stack's \`pulumi preview --json\` into the pull-request comment and the job summary.

  --stack <stack>        the stack that was previewed (named in the comment)
  --json <file>          what \`pulumi preview --json\` printed: the digest, or with
                         PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true the event stream, which also
                         carries the policy results
  --diff <file>          what \`pulumi preview --diff\` printed, for the job summary
  --intro <file>         Markdown for under the comment's title (commit, state, image)
  --details-url <url>    an https link from the comment to the full diff
  --comment-out <file>   where to write the comment (default: stdout)
  --summary-out <file>   a file to append the job summary to (e.g. "$GITHUB_STEP_SUMMARY")
  --release <file>       the canary releases the last deploy followed (release.json of the
                         published state, written by \`release:watch --record\`), shown under the intro
  --root <dir>           the checkout, shown as "." (default: the current folder); other local
                         paths never reach the comment
  --help, -h             this text

Exits 0 when written, 1 when a file cannot be read or the comment would publish a local path,
2 on bad usage.
`;

export class UsageError extends Error {}

export interface CliIo {
  readFile(path: string): string;
  writeFile(path: string, text: string): void;
  appendFile(path: string, text: string): void;
  stdout(text: string): void;
}

const nodeIo: CliIo = {
  readFile: (p) => fs.readFileSync(p, "utf8"),
  writeFile: (p, t) => { fs.writeFileSync(p, t); },
  appendFile: (p, t) => { fs.appendFileSync(p, t); },
  stdout: (t) => process.stdout.write(t),
};

function read(io: CliIo, what: string, path: string): string {
  try {
    return io.readFile(path);
  } catch (e) {
    throw new Error(`cannot read ${what} ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function releaseText(io: CliIo, path: string): string {
  try {
    return describeRelease(readReleaseRecord(read(io, "release record", path)));
  } catch (e) {
    throw new Error(`${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function run(argv: string[], io: CliIo = nodeIo): void {
  const { values } = (() => {
    try {
      return parseArgs({
        args: argv,
        options: {
          stack: { type: "string" },
          json: { type: "string" },
          diff: { type: "string" },
          intro: { type: "string" },
          "details-url": { type: "string" },
          "comment-out": { type: "string" },
          "summary-out": { type: "string" },
          root: { type: "string" },
          release: { type: "string" },
          help: { type: "boolean", short: "h" },
        },
        strict: true,
        allowPositionals: false,
      });
    } catch (e) {
      throw new UsageError(`${e instanceof Error ? e.message : String(e)}\n${usage}`);
    }
  })();
  if (values.help === true) {
    io.stdout(help);
    return;
  }
  const { stack, json } = values;
  if (stack === undefined || json === undefined) {
    throw new UsageError(`--stack and --json are required\n${usage}`);
  }
  const detailsUrl = values["details-url"];
  if (detailsUrl !== undefined && !/^https:\/\/[^\s()<>]+$/.test(detailsUrl)) {
    throw new UsageError(`--details-url must be an https URL, got ${JSON.stringify(detailsUrl)}`);
  }
  const scrub = { root: values.root ?? process.cwd() };

  let output;
  try {
    output = readPreviewOutput(read(io, "preview", json));
  } catch (e) {
    throw new Error(`${json}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const report = stackReport(stack, output.preview, output.policy);

  const intro = [values.intro === undefined ? undefined : read(io, "intro", values.intro), values.release === undefined ? undefined : releaseText(io, values.release)]
    .flatMap((t) => (t === undefined ? [] : [t.trim()]))
    .join("\n\n") || undefined;
  const comment = renderComment(report, { detailsUrl, intro, scrub });
  const leaked = machinePathsIn(comment);
  if (leaked.length > 0) {
    throw new Error(`refusing to publish local paths: ${leaked.join(", ")}`);
  }
  if (values["comment-out"] === undefined) {
    io.stdout(comment);
  } else {
    io.writeFile(values["comment-out"], comment);
  }
  if (values["summary-out"] !== undefined) {
    const diff = values.diff === undefined ? undefined : read(io, "diff", values.diff);
    io.appendFile(values["summary-out"], renderJobSummary(report, diff, { scrub, intro, artifactNote: "The whole text is in the workflow run's artifacts." }));
  }
}

if (require.main === module) {
  try {
    run(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`report: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  }
}
