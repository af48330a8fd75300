// binaries_current (scripts/cluster/lib.sh): the rule by which the plane's,
// the real nodes' and the delivery controllers' build scripts skip a build.
// A build is skipped only when its stamp holds exactly what a build would
// write and every binary it makes is there and executable.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const lib = path.join(__dirname, "..", "scripts", "cluster", "lib.sh");
const wanted = "kubernetes v1.34.1\ngo go1.26.0\nrecipe 2";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "goapi-build-stamp-"));
  fs.writeFileSync(path.join(dir, "stamp"), `${wanted}\n`);
  for (const b of ["etcd", "kubectl"]) {
    fs.writeFileSync(path.join(dir, b), "", { mode: 0o755 });
  }
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** binaries_current's exit status for the stamp in the folder, wanting `want`, with `binaries`. */
const current = (want: string, binaries = ["etcd", "kubectl"]) =>
  spawnSync("bash", ["-c", `. "${lib}" && binaries_current "$@"`, "-", path.join(dir, "stamp"), want, dir, ...binaries], {
    encoding: "utf8",
  }).status;

test("the stamp holds what a build would write and every binary is there: skip", () => {
  expect(current(wanted)).toBe(0);
  expect(current(wanted, [])).toBe(0);
});

test("another version or recipe in the stamp: build", () => {
  expect(current(wanted.replace("recipe 2", "recipe 3"))).toBe(1);
  expect(current(`${wanted}\nextra`)).toBe(1);
});

test("no stamp (a build that stopped halfway removed it): build", () => {
  fs.rmSync(path.join(dir, "stamp"));
  expect(current(wanted)).toBe(1);
});

test("a binary missing or not executable: build", () => {
  expect(current(wanted, ["etcd", "kubectl", "kwok"])).toBe(1);
  expect(current(wanted, ["kwok", "etcd"])).toBe(1);
  fs.chmodSync(path.join(dir, "kubectl"), 0o644);
  expect(current(wanted)).toBe(1);
});
