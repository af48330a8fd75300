// scripts/side-by-side.sh, which runs npm test's lanes at once: every lane's
// failure fails the whole, each lane's output stays whole and in order, and
// Ctrl-C stops everything every lane started.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const script = path.join(__dirname, "..", "scripts", "side-by-side.sh");

describe("scripts/side-by-side.sh", () => {
  it("prints each command's output whole, in argument order", () => {
    const out = spawnSync(script, ["echo a1; sleep 0.3; echo a2", "echo b1; echo b2"], { encoding: "utf8" });
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^▶ echo a1; sleep 0.3; echo a2 \(\d+ s, exit 0\)\na1\na2\n▶ echo b1; echo b2 \(\d+ s, exit 0\)\nb1\nb2\n$/);
  });

  it("runs the commands at once: the first waits for what the second does", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "side-by-side-"));
    try {
      // One after another, the first would give up after 10 s and fail.
      const waiter = `for i in $(seq 100); do [ -f ${dir}/b ] && break; sleep 0.1; done; [ -f ${dir}/b ] && echo saw b`;
      const out = spawnSync(script, [waiter, `touch ${dir}/b`], { encoding: "utf8" });
      expect(out.status).toBe(0);
      expect(out.stdout).toContain("saw b\n");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([0, 1, 2])("fails when command %i of three fails, and still prints all three", (failing) => {
    const commands = ["echo one", "echo two", "echo three"].map((c, i) => (i === failing ? `${c}; exit 3` : c));
    const out = spawnSync(script, commands, { encoding: "utf8" });
    expect(out.status).toBe(1);
    expect(out.stdout).toContain("one\n");
    expect(out.stdout).toContain("two\n");
    expect(out.stdout).toContain("three\n");
    expect(out.stdout).toContain(`▶ ${commands[failing] ?? ""} (0 s, exit 3)`);
    expect(out.stderr).toBe(`side-by-side: failed: ${commands[failing] ?? ""}\n`);
  });

  it("refuses to run nothing", () => {
    expect(spawnSync(script, [], { encoding: "utf8" }).status).toBe(2);
  });

  it.each(["SIGINT", "SIGTERM"] as const)("on %s stops every process the commands started", async (signal) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "side-by-side-"));
    try {
      // Each command starts a child of its own that records its pid, as npm starts jest.
      const lane = (n: number) => `bash -c 'echo $$ > ${dir}/${String(n)}.pid; exec sleep 30'`;
      const run = spawn(script, [lane(1), lane(2)], { stdio: "ignore" });
      const pidFiles = [1, 2].map((n) => path.join(dir, `${String(n)}.pid`));
      for (let i = 0; i < 100 && !pidFiles.every((f) => fs.existsSync(f) && fs.readFileSync(f, "utf8") !== ""); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const pids = pidFiles.map((f) => Number(fs.readFileSync(f, "utf8")));
      const exited = new Promise<number | null>((resolve) => run.on("exit", (code) => { resolve(code); }));
      run.kill(signal);
      expect(await exited).toBe(130);
      // Gone, or a zombie that nobody has reaped yet (its parent was stopped too).
      const alive = (pid: number) => !/^(Z|$)/.test(spawnSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" }).stdout.trim());
      expect(pids.filter(alive)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
