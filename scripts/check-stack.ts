// npm run check -- <stack>: validates Pulumi.<stack>.yaml as the CLI would
// hand it to the program, without a cluster, a backend or the Pulumi CLI.
// Prints each problem once, and warns about placeholders left in the file;
// exits 1 if there is any problem, 2 on bad usage.
import * as fs from "node:fs";
import * as path from "node:path";
import { baseImagesProblem } from "../components/image-args";
import { loadSettings, SettingsError } from "../components/settings";
import { cliConfig, projectKeys, stackFilePath, YamlFileError } from "./stack-config";
import { placeholdersIn } from "./stack-placeholders";

/** The Dockerfile the program builds (index.ts builds app/ beside it). */
const appDockerfile = path.join(__dirname, "..", "app", "Dockerfile");

export interface CheckResult {
  code: 0 | 1 | 2;
  /** What to print: on stdout when code is 0, else on stderr. */
  text: string;
  /** Lines for stderr whatever the code: placeholders left in the file. */
  warnings: string[];
}

export const usage = [
  "usage: npm run check -- <stack>",
  "  Validates Pulumi.<stack>.yaml as `pulumi up` would, without a cluster, a backend or the Pulumi CLI,",
  "  lists every problem at once, and names the placeholders left (your-org, example.com hosts).",
  "  Exits 0 when the file is valid, 1 when it is not, 2 on bad usage.",
].join("\n");

export function checkStack(stack: string, file = stackFilePath(stack)): CheckResult {
  const shown = path.basename(file);
  if (!fs.existsSync(file)) {
    return { code: 2, text: `${shown}: no such stack file (create it with: npx pulumi stack init ${stack})`, warnings: [] };
  }
  let keys: Record<string, string>;
  let encrypted: string[];
  try {
    const cli = cliConfig(file);
    keys = projectKeys(cli.config);
    encrypted = cli.encrypted;
  } catch (e) {
    if (e instanceof YamlFileError) {
      return { code: 1, text: e.message, warnings: [] };
    }
    throw e;
  }
  const left = placeholdersIn(keys);
  const warnings = left.length > 0 ? [`${shown}: placeholders to replace with your own values:`, ...left.map((l) => `  ${l}`)] : [];
  let settings: ReturnType<typeof loadSettings>;
  try {
    settings = loadSettings(stack, keys);
  } catch (e) {
    if (e instanceof SettingsError) {
      return { code: 1, text: `${shown}: ${e.message}`, warnings };
    }
    throw e;
  }
  // The program refuses these when it runs; the file alone shows them as well.
  const image = settings.image;
  const problem = image.kind === "build" && image.baseImages !== undefined ? baseImagesProblem(image.baseImages, appDockerfile) : undefined;
  if (problem !== undefined) {
    return { code: 1, text: `${shown}: ${problem}`, warnings };
  }
  const note = encrypted.length > 0 ? ` (encrypted, checked as present: ${encrypted.join(", ")})` : "";
  return { code: 0, text: `${shown}: valid for stack ${stack}${note}`, warnings };
}

/** The command line: one stack name, or --help. */
export function main(args: string[]): CheckResult {
  const [first] = args;
  if (args.length === 1 && (first === "--help" || first === "-h")) {
    return { code: 0, text: usage, warnings: [] };
  }
  if (args.length !== 1 || first === undefined || first.startsWith("-")) {
    return { code: 2, text: usage, warnings: [] };
  }
  return checkStack(first);
}

if (require.main === module) {
  const result = main(process.argv.slice(2));
  (result.code === 0 ? console.log : console.error)(result.text);
  for (const line of result.warnings) {
    console.error(line);
  }
  process.exitCode = result.code;
}
