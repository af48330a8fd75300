// npm run check -- <stack>: validates Pulumi.<stack>.yaml as the CLI would
// hand it to the program, without a cluster, a backend or the Pulumi CLI.
// Prints each problem once; exits 1 if there is any, 2 on bad usage.
import * as fs from "node:fs";
import * as path from "node:path";
import { loadSettings, SettingsError } from "../components/settings";
import { cliConfig, projectKeys, stackFilePath } from "./stack-config";

export interface CheckResult {
  code: 0 | 1 | 2;
  /** What to print: on stdout when code is 0, else on stderr. */
  text: string;
}

export function checkStack(stack: string, file = stackFilePath(stack)): CheckResult {
  const shown = path.basename(file);
  if (!fs.existsSync(file)) {
    return { code: 2, text: `${shown}: no such stack file (create it with: npx pulumi stack init ${stack})` };
  }
  const { config, encrypted } = cliConfig(file);
  try {
    loadSettings(stack, projectKeys(config));
  } catch (e) {
    if (e instanceof SettingsError) {
      return { code: 1, text: `${shown}: ${e.message}` };
    }
    throw e;
  }
  const note = encrypted.length > 0 ? ` (encrypted, checked as present: ${encrypted.join(", ")})` : "";
  return { code: 0, text: `${shown}: valid for stack ${stack}${note}` };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const result: CheckResult =
    args.length === 1 && args[0] !== undefined
      ? checkStack(args[0])
      : { code: 2, text: "usage: npm run check -- <stack>   (checks Pulumi.<stack>.yaml)" };
  (result.code === 0 ? console.log : console.error)(result.text);
  process.exitCode = result.code;
}
