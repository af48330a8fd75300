#!/usr/bin/env node
// Reads what `pulumi stack export` and `pulumi stack history --json` print.
//   redact            stdin: export --show-secrets; stdout: the same deployment with every
//                     secret replaced by a placeholder of the same shape, and no secrets
//                     provider (fails closed)
//   fingerprint       stdin: export; stdout: when the state was last written
//   image-ref FILE    the imageRef output of the stack in an exported (or redacted) state
//   deployed-commit   stdin: history --json; stdout: the commit of the last successful update
//   for-import FILE SALT  the redacted state of FILE under a new stack's passphrase (its
//                     encryptionsalt): `stack import` encrypts the placeholders with it
import { Buffer } from "node:buffer";
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

/** All of stdin. Read as a stream: the CLI may leave a pipe non-blocking, where readFileSync(0) fails with EAGAIN. */
async function stdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function readJson(file) {
  const text = file === undefined ? await stdin() : fs.readFileSync(file, "utf8");
  try {
    return JSON.parse(text);
  } catch {
    return die(`${file ?? "stdin"} is not JSON`);
  }
}

function isSecret(value) {
  return value !== null && typeof value === "object" && value[secretKey] === secretSig;
}

/**
 * A value of the same shape as `value` that holds nothing of it: every string is
 * the placeholder (base64-encoded where the provider stores base64, so that the
 * program's placeholder compares equal), numbers are 0, booleans false; map keys
 * and list lengths stay, so a diff against the program does not change shape.
 */
function placeholderOf(value, base64) {
  if (typeof value === "string") {
    return base64 ? Buffer.from(placeholder).toString("base64") : placeholder;
  }
  if (typeof value === "number") {
    return 0;
  }
  if (typeof value === "boolean") {
    return false;
  }
  if (Array.isArray(value)) {
    return value.map((v) => placeholderOf(v, base64));
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, placeholderOf(v, base64)]));
  }
  return value;
}

/**
 * Replaces every secret below `value` in place; counts them. Refuses ciphertext:
 * it was not decrypted. `base64` marks the data of a Kubernetes Secret.
 */
function redactValue(value, count, base64 = false) {
  if (Array.isArray(value)) {
    value.forEach((v) => redactValue(v, count, base64));
  } else if (value !== null && typeof value === "object") {
    if (isSecret(value)) {
      if (!("plaintext" in value)) {
        die("a secret is still encrypted: export with --show-secrets");
      }
      value.plaintext = JSON.stringify(placeholderOf(JSON.parse(value.plaintext), base64));
      count.n += 1;
      return;
    }
    for (const v of Object.values(value)) {
      redactValue(v, count, base64);
    }
  }
}

/** The Kubernetes provider keeps a Secret's data base64-encoded, in its inputs and its outputs. */
function redactResource(resource, count) {
  const kubernetesSecret = resource.type === "kubernetes:core/v1:Secret";
  for (const part of ["inputs", "outputs"]) {
    const props = resource[part];
    if (props === undefined || props === null) {
      continue;
    }
    for (const [key, value] of Object.entries(props)) {
      if (kubernetesSecret && key === "__inputs" && value !== null && typeof value === "object" && !isSecret(value)) {
        for (const [k, v] of Object.entries(value)) {
          redactValue(v, count, k === "data");
        }
      } else {
        redactValue(value, count, kubernetesSecret && key === "data");
      }
    }
  }
  for (const [key, value] of Object.entries(resource)) {
    if (key !== "inputs" && key !== "outputs") {
      redactValue(value, count);
    }
  }
}

async function redact() {
  const exported = await readJson();
  const deployment = exported.deployment;
  if (deployment === undefined || !Array.isArray(deployment.resources ?? [])) {
    die("not a stack export (no deployment)");
  }
  // The passphrase salt or key reference of the real stack has no place in a copy.
  delete deployment.secrets_providers;
  delete deployment.pending_operations;
  const count = { n: 0 };
  for (const resource of deployment.resources ?? []) {
    redactResource(resource, count);
  }
  for (const [key, value] of Object.entries(deployment)) {
    if (key !== "resources") {
      redactValue(value, count);
    }
  }
  const text = JSON.stringify(exported, null, 2);
  if (text.includes('"ciphertext"')) {
    die("ciphertext left after redaction");
  }
  process.stdout.write(`${text}\n`);
  process.stderr.write(`state.mjs: ${count.n} secret value(s) redacted, ${(deployment.resources ?? []).length} resources\n`);
}

async function fingerprint() {
  const time = (await readJson()).deployment?.manifest?.time;
  if (typeof time !== "string" || time === "") {
    die("the export has no manifest time");
  }
  process.stdout.write(`${time}\n`);
}

async function imageRef(file) {
  const resources = (await readJson(file)).deployment?.resources ?? [];
  const root = resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const ref = root?.outputs?.imageRef;
  if (typeof ref === "string") {
    process.stdout.write(`${ref}\n`);
  }
}

async function deployedCommit() {
  const history = await readJson();
  const last = (Array.isArray(history) ? history : []).find((u) => u.kind === "update" && u.result === "succeeded");
  const commit = last?.environment?.["git.head"];
  if (typeof commit !== "string" || !/^[0-9a-f]{40}$/.test(commit)) {
    die("no successful update with a recorded commit (git.head) in the stack history");
  }
  process.stdout.write(`${commit}\n`);
}

async function forImport(file, salt) {
  if (typeof salt !== "string" || !salt.startsWith("v1:")) {
    die("for-import needs the encryptionsalt of the stack to import into");
  }
  const state = await readJson(file);
  if (state.deployment === undefined || state.deployment.secrets_providers !== undefined || JSON.stringify(state).includes('"ciphertext"')) {
    die(`${file} is not a redacted state`);
  }
  state.deployment.secrets_providers = { type: "passphrase", state: { salt } };
  process.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
}

const [command, arg, arg2] = process.argv.slice(2);
switch (command) {
  case "redact":
    await redact();
    break;
  case "fingerprint":
    await fingerprint();
    break;
  case "image-ref":
    await imageRef(arg);
    break;
  case "deployed-commit":
    await deployedCommit();
    break;
  case "for-import":
    await forImport(arg, arg2);
    break;
  default:
    die("usage: state.mjs redact|fingerprint|image-ref FILE|deployed-commit|for-import FILE SALT");
}
