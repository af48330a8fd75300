// Every dependency with an install script has a reviewed entry in
// package.json's allowScripts: npm 11 warns on every install about the
// others, and npm 12 skips them. None runs here (the reasons are in the
// commit that set them): the CLI fetches Pulumi's plugins on first use,
// and the native packages come as the platform packages the lock file names.
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.join(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { allowScripts?: Record<string, boolean> };
const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8")) as {
  packages: Record<string, { hasInstallScript?: boolean }>;
};

/** The packages of the lock file that have an install script, by name. */
const withInstallScripts = [
  ...new Set(
    Object.entries(lock.packages)
      .filter(([where, p]) => where !== "" && p.hasInstallScript === true)
      .map(([where]) => where.slice(where.lastIndexOf("node_modules/") + "node_modules/".length)),
  ),
].sort();

describe("package.json's allowScripts", () => {
  it("has an entry for every locked package with an install script, and for nothing else", () => {
    expect(withInstallScripts.length).toBeGreaterThan(0);
    expect(Object.keys(pkg.allowScripts ?? {}).sort()).toEqual(withInstallScripts);
  });

  it("lets none of them run", () => {
    expect(Object.values(pkg.allowScripts ?? {}).filter((allowed) => allowed)).toEqual([]);
  });
});
