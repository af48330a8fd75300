#!/usr/bin/env node
// Picks from what the GitHub REST API returned (saved by `gh api` to a file).
//   snapshot-run FILE REPO_ID   the run that published the newest unexpired artifact of the list
//                               (actions/artifacts?name=...) from a run on main of this repository;
//                               nothing if there is none. Artifacts of other branches and forks are
//                               ignored: their runs had no access to the stack.
//   comment-id FILE MARKER      the id of the first comment of github-actions[bot] whose body
//                               starts with MARKER (FILE: issue comments, `gh api --paginate --slurp`)
import fs from "node:fs";
import process from "node:process";

function die(message) {
  process.stderr.write(`github.mjs: ${message}\n`);
  process.exit(1);
}

function read(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return die(`${file} is not JSON`);
  }
}

function snapshotRun(file, repoId) {
  const artifacts = read(file).artifacts ?? [];
  const trusted = artifacts
    .filter((a) => !a.expired)
    .filter((a) => a.workflow_run?.head_branch === "main" && String(a.workflow_run?.head_repository_id) === repoId)
    .sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
  const newest = trusted.at(-1);
  if (newest !== undefined) {
    process.stdout.write(`${newest.workflow_run.id}\n`);
  }
}

function commentId(file, marker) {
  const comments = read(file).flat();
  const mine = comments.find((c) => c.user?.login === "github-actions[bot]" && String(c.body).startsWith(marker));
  if (mine !== undefined) {
    process.stdout.write(`${mine.id}\n`);
  }
}

const [command, file, arg] = process.argv.slice(2);
if (file === undefined || arg === undefined) {
  die("usage: github.mjs snapshot-run FILE REPO_ID | comment-id FILE MARKER");
}
switch (command) {
  case "snapshot-run":
    snapshotRun(file, arg);
    break;
  case "comment-id":
    commentId(file, arg);
    break;
  default:
    die(`unknown command ${command ?? ""}`);
}
