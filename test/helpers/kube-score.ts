// kube-score over the objects a stack declares, written out as the YAML the
// Kubernetes provider would apply.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import type { Declared } from "./mocks";
import { reveal } from "./values";

/** Installed by `npm run tools` (go install at a pinned version). */
const binary = path.join(__dirname, "..", "..", ".tools", "bin", "kube-score");

/** kube-score's CRITICAL and WARNING lines for the declared objects. */
export function kubeScoreFindings(declared: Declared[]): string[] {
  if (!fs.existsSync(binary)) {
    throw new Error(`${binary} is missing: run npm run tools`);
  }
  const manifests = declared
    .filter((d) => d.type.startsWith("kubernetes:"))
    .map((d) => stringify(reveal(d.inputs)))
    .join("---\n");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-kube-score-"));
  const file = path.join(dir, "manifests.yaml");
  fs.writeFileSync(file, manifests);
  const result = spawnSync(binary, ["score", "--output-format", "ci", file], { encoding: "utf8" });
  fs.rmSync(dir, { recursive: true, force: true });
  if (result.error) {
    throw result.error;
  }
  return result.stdout.split("\n").filter((line) => /^\[(CRITICAL|WARNING)\]/.test(line));
}
