#!/usr/bin/env node
// Reads and edits a Pulumi.<stack>.yaml the way CI needs, keeping its comments.
//   image FILE        "pinned <ref>" when goapi:image.ref pins an image, else "build <registry>/<repository>"
//   build FILE        how the program builds the image: platforms=<p1,p2 or native> and cache=<true|false>,
//                     one a line, with the program's defaults (components/settings.ts)
//   strip FILE        removes the stack's encryption settings and every `secure:` value, in place;
//                     prints the config path of each removed secret, one a line
//   salt FILE         the encryptionsalt of the stack's passphrase secrets provider
import fs from "node:fs";
import process from "node:process";
import { isMap, isScalar, isSeq, parseDocument } from "yaml";

const project = "goapi";

function die(message) {
  process.stderr.write(`stack-file.mjs: ${message}\n`);
  process.exit(1);
}

function load(file) {
  const doc = parseDocument(fs.readFileSync(file, "utf8"));
  if (doc.errors.length > 0) {
    die(`${file}: ${doc.errors[0].message}`);
  }
  return doc;
}

function image(file) {
  const doc = load(file);
  const ref = doc.getIn(["config", `${project}:image`, "ref"]);
  if (typeof ref === "string" && ref !== "") {
    process.stdout.write(`pinned ${ref}\n`);
    return;
  }
  const registry = doc.getIn(["config", `${project}:image`, "registry"]);
  const repository = doc.getIn(["config", `${project}:image`, "repository"]) ?? project;
  if (typeof registry !== "string" || registry === "") {
    die(`${file}: neither ${project}:image.ref nor ${project}:image.registry is set`);
  }
  process.stdout.write(`build ${registry}/${repository}\n`);
}

// The platforms the program can build and its defaults (components/settings.ts; a test keeps them equal).
const platformNames = ["linux/amd64", "linux/arm64"];
const defaultPlatforms = ["linux/amd64"];

function build(file) {
  const image = load(file).toJS()?.config?.[`${project}:image`] ?? {};
  const platforms = image.platforms ?? defaultPlatforms;
  const listed = Array.isArray(platforms) && platforms.length > 0 && new Set(platforms).size === platforms.length;
  if (platforms !== "native" && !(listed && platforms.every((p) => platformNames.includes(p)))) {
    die(`${file}: ${project}:image.platforms must be a list of ${platformNames.join(", ")}, or native`);
  }
  const cache = image.cache ?? true;
  if (typeof cache !== "boolean") {
    die(`${file}: ${project}:image.cache must be true or false`);
  }
  process.stdout.write(`platforms=${platforms === "native" ? "native" : platforms.join(",")}\ncache=${cache}\n`);
}

/** Config paths (pulumi config --path syntax) of the `secure:` values under node. */
function secureValues(node, path, found) {
  if (isMap(node)) {
    const secure = node.items.length === 1 && isScalar(node.items[0].key) && node.items[0].key.value === "secure";
    if (secure && path !== "") {
      found.push(path);
      return true;
    }
    node.items = node.items.filter((pair) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      return !secureValues(pair.value, path === "" ? key : `${path}.${key}`, found);
    });
  } else if (isSeq(node)) {
    node.items = node.items.filter((item, i) => !secureValues(item, `${path}[${i}]`, found));
  }
  return false;
}

function strip(file) {
  const doc = load(file);
  for (const key of ["encryptionsalt", "secretsprovider", "encryptedkey"]) {
    doc.delete(key);
  }
  const found = [];
  const config = doc.get("config", true);
  if (config !== undefined) {
    secureValues(config, "", found);
  }
  // The CLI's style (flow maps without inner spaces), so the file reads as the CLI would write it.
  fs.writeFileSync(file, doc.toString({ flowCollectionPadding: false }));
  process.stdout.write(found.map((p) => `${p}\n`).join(""));
}

function salt(file) {
  const value = load(file).get("encryptionsalt");
  if (typeof value !== "string") {
    die(`${file} has no encryptionsalt`);
  }
  process.stdout.write(`${value}\n`);
}

const [command, file] = process.argv.slice(2);
if (file === undefined) {
  die("usage: stack-file.mjs image|build|strip|salt FILE");
}
switch (command) {
  case "image":
    image(file);
    break;
  case "build":
    build(file);
    break;
  case "strip":
    strip(file);
    break;
  case "salt":
    salt(file);
    break;
  default:
    die(`unknown command ${command ?? ""}`);
}
