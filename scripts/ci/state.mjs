#!/usr/bin/env node
// Reads what `pulumi stack export` and `pulumi stack history --json` print.
//   redact            stdin: export --show-secrets; stdout: the same deployment with every
//                     secret replaced by a placeholder and no secrets provider (fails closed)
//   fingerprint       stdin: export; stdout: when the state was last written
//   image-ref FILE    the imageRef output of the stack in an exported (or redacted) state
//   deployed-commit   stdin: history --json; stdout: the commit of the last successful update
import fs from "node:fs";
import process from "node:process";

// Pulumi marks a secret value with this key and value (sdk/go/common/resource/sig).
const secretKey = "4dabf18193072939515e22adb298388d";
const secretSig = "1b47061264138c4ac30d75fd1eb44270";
const placeholder = "redacted-for-preview";

function die(message) {
  process.stderr.write(`state.mjs: ${message}\n`);
  process.exit(1);
}

function readJson(file) {
  const text = fs.readFileSync(file === undefined ? 0 : file, "utf8");
  try {
    return JSON.parse(text);
  } catch {
    return die(`${file ?? "stdin"} is not JSON`);
  }
}

function isSecret(value) {
  return value !== null && typeof value === "object" && value[secretKey] === secretSig;
}

/** Replaces every secret in place; counts them. Refuses ciphertext: it was not decrypted. */
function redactValue(value, count) {
  if (Array.isArray(value)) {
    value.forEach((v) => redactValue(v, count));
  } else if (value !== null && typeof value === "object") {
    if (isSecret(value)) {
      if (!("plaintext" in value)) {
        die("a secret is still encrypted: export with --show-secrets");
      }
      value.plaintext = JSON.stringify(placeholder);
      count.n += 1;
      return;
    }
    for (const v of Object.values(value)) {
      redactValue(v, count);
    }
  }
}

function redact() {
  const exported = readJson();
  const deployment = exported.deployment;
  if (deployment === undefined || !Array.isArray(deployment.resources ?? [])) {
    die("not a stack export (no deployment)");
  }
  // The passphrase salt or key reference of the real stack has no place in a copy.
  delete deployment.secrets_providers;
  delete deployment.pending_operations;
  const count = { n: 0 };
  redactValue(deployment, count);
  const text = JSON.stringify(exported, null, 2);
  if (text.includes('"ciphertext"')) {
    die("ciphertext left after redaction");
  }
  process.stdout.write(`${text}\n`);
  process.stderr.write(`state.mjs: ${count.n} secret value(s) redacted, ${(deployment.resources ?? []).length} resources\n`);
}

function fingerprint() {
  const time = readJson().deployment?.manifest?.time;
  if (typeof time !== "string" || time === "") {
    die("the export has no manifest time");
  }
  process.stdout.write(`${time}\n`);
}

function imageRef(file) {
  const resources = readJson(file).deployment?.resources ?? [];
  const root = resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const ref = root?.outputs?.imageRef;
  if (typeof ref === "string") {
    process.stdout.write(`${ref}\n`);
  }
}

function deployedCommit() {
  const history = readJson();
  const last = (Array.isArray(history) ? history : []).find((u) => u.kind === "update" && u.result === "succeeded");
  const commit = last?.environment?.["git.head"];
  if (typeof commit !== "string" || !/^[0-9a-f]{40}$/.test(commit)) {
    die("no successful update with a recorded commit (git.head) in the stack history");
  }
  process.stdout.write(`${commit}\n`);
}

const [command, arg] = process.argv.slice(2);
switch (command) {
  case "redact":
    redact();
    break;
  case "fingerprint":
    fingerprint();
    break;
  case "image-ref":
    imageRef(arg);
    break;
  case "deployed-commit":
    deployedCommit();
    break;
  default:
    die("usage: state.mjs redact|fingerprint|image-ref FILE|deployed-commit");
}
