// A stack's configuration as the Pulumi CLI hands it to the program: the
// project's declared values and defaults from Pulumi.yaml, then the stack
// file's values; strings pass through, everything else as JSON. Encrypted
// (`secure:`) values cannot be read without the stack's secrets provider and
// stand in as placeholders. Used by `npm run check` and the tests.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, YAMLParseError } from "yaml";

export const projectRoot = path.join(__dirname, "..");

interface ProjectFile {
  name: string;
  config?: Record<string, { default?: unknown; value?: unknown } | string | number | boolean>;
}
interface StackFile {
  config?: Record<string, unknown> | null;
}

export interface CliConfig {
  /** Namespaced key -> value, as `pulumi.runtime.allConfig()` returns it. */
  config: Record<string, string>;
  /** Keys the CLI would mark secret. */
  secretKeys: string[];
  /** Keys whose encrypted value is replaced by a placeholder. */
  encrypted: string[];
}

/** Stands in for an encrypted value: long enough for every length rule. */
export const placeholderFor = (key: string) => `placeholder-for-the-encrypted-value-of-${key}`;

const asConfigString = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

function projectName(): string {
  return readProject().name;
}

/** A stack or project file that cannot be read as YAML: the file, the line and the column. */
export class YamlFileError extends Error {}

function readYaml(file: string): unknown {
  try {
    return parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    if (e instanceof YAMLParseError) {
      // The parser's first line names the problem and where; the rest is an excerpt of the file.
      const problem = (e.message.split("\n")[0] ?? "").replace(/:$/, "");
      throw new YamlFileError(`${path.basename(file)}: not valid YAML: ${problem}`);
    }
    throw e;
  }
}

function readProject(): ProjectFile {
  return readYaml(path.join(projectRoot, "Pulumi.yaml")) as ProjectFile;
}

/** The configuration of the stack file at `stackFile`, on top of the project's. */
export function cliConfig(stackFile: string): CliConfig {
  const project = readProject();
  const config: Record<string, string> = {};
  for (const [key, decl] of Object.entries(project.config ?? {})) {
    const value = typeof decl === "object" ? (decl.value ?? decl.default) : decl;
    if (value !== undefined) {
      // Keys of other namespaces (pulumi:, kubernetes:) are written out in full.
      config[key.includes(":") ? key : `${project.name}:${key}`] = asConfigString(value);
    }
  }
  const stack = readYaml(stackFile) as StackFile | null;
  const secretKeys: string[] = [];
  const encrypted: string[] = [];
  for (const [key, value] of Object.entries(stack?.config ?? {})) {
    if (typeof value === "object" && value !== null && "secure" in value) {
      config[key] = placeholderFor(key);
      secretKeys.push(key);
      encrypted.push(key);
      continue;
    }
    config[key] = asConfigString(value);
  }
  return { config, secretKeys, encrypted };
}

/** The project's own keys without their namespace, as loadSettings takes them. */
export function projectKeys(config: Record<string, string>): Record<string, string> {
  const prefix = `${projectName()}:`;
  return Object.fromEntries(
    Object.entries(config)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v]),
  );
}

export function stackFilePath(stack: string): string {
  return path.join(projectRoot, `Pulumi.${stack}.yaml`);
}
