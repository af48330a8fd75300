// Previews of this program recorded from the real engine (test/fixtures/previews,
// see its README): each case in both forms of `pulumi preview --json` and as --diff text.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { readPreviewOutput, PreviewOutput } from "../../report/preview-output";
import { StackReport, stackReport } from "../../report/stack-report";

export const previewDir = path.join(__dirname, "..", "fixtures", "previews");

export const cases = ["create", "update", "config-change", "secret-change", "image-change", "delete", "error", "policy-violation"] as const;
export type Case = (typeof cases)[number];

/** The files of a case: the digest, the event stream, the diff text. */
export const files = ["preview.json", "events.jsonl", "diff.txt"] as const;

export function fixturePath(c: Case, file: (typeof files)[number]): string {
  return path.join(previewDir, c, file);
}

export function fixtureText(c: Case, file: (typeof files)[number]): string {
  return fs.readFileSync(fixturePath(c, file), "utf8");
}

export function outputOf(c: Case, form: "digest" | "events"): PreviewOutput {
  return readPreviewOutput(fixtureText(c, form === "digest" ? "preview.json" : "events.jsonl"));
}

/** The report of a recorded preview; the event stream by default, as the workflow records it. */
export function reportOf(c: Case, form: "digest" | "events" = "events"): StackReport {
  const { preview, policy } = outputOf(c, form);
  return stackReport("dev", preview, policy);
}

/** The images the recording deployed: ghcr.io/your-org/goapi@sha256 of these strings. */
export const recordedImage = (version: "1.0.0" | "1.1.0") =>
  `ghcr.io/your-org/goapi@sha256:${createHash("sha256").update(`goapi-${version}`).digest("hex")}`;

/** The API tokens the recording set with --secret; they must appear nowhere. */
export const recordedTokens = ["recorded-token-one-0123456789", "recorded-token-two-9876543210"];
