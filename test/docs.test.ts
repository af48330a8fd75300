// The README and docs/ agree with the repository: the Node they tell a newcomer
// to get is the one .ci/run gets, the test commands npm test leaves out are
// named, and every link between the files leads somewhere.
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.join(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");
const readme = read("README.md");
const pkg = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
const markdown = ["README.md", ...fs.readdirSync(path.join(root, "docs")).map((f) => `docs/${f}`)].filter((f) => f.endsWith(".md"));

describe("README.md", () => {
  it("tells how to get the Node of .nvmrc, as .ci/run does", () => {
    const major = read(".nvmrc").trim();
    expect(readme).toContain(".nvmrc");
    const ci = /npm install (.*?)--prefix (\S+) node@(\d+)/.exec(read(".ci/run"));
    expect(ci?.[3]).toBe(major);
    const prefix = ci?.[2] ?? "-";
    expect(readme).toContain(`--prefix ${prefix} node@${major}`);
    expect(readme).toContain(`export PATH="$PWD/${prefix}/node_modules/.bin:$PATH"`);
  });

  it("says that the Pulumi CLI is downloaded on first use, and where to", () => {
    expect(readme).toContain("The Pulumi CLI is downloaded on first use");
    expect(readme).toContain("~/.pulumi/versions/<version>/");
  });

  it("names, in its table of what npm cit leaves out, every test command npm test does not run", () => {
    const run = pkg.scripts.test ?? "";
    const left = Object.keys(pkg.scripts).filter((s) => s.startsWith("test:") && !run.includes(`npm run ${s}`));
    expect(left).toContain("test:cluster");
    const section = readme.slice(readme.indexOf("What `npm cit` leaves out"));
    for (const script of left) {
      expect(section).toMatch(new RegExp(`^\\| \`npm run ${script}\` \\|`, "m"));
    }
  });

  it("stays short enough for a newcomer", () => {
    expect(readme.split("\n").length).toBeLessThanOrEqual(280);
  });
});

/** GitHub's anchor for a heading. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, "")
    .replaceAll(" ", "-");

function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of read(file).split("\n")) {
    if (line.startsWith("```")) {
      fenced = !fenced;
    } else if (!fenced && line.startsWith("#")) {
      anchors.add(slug(line.replace(/^#+/, "")));
    }
  }
  return anchors;
}

const links = markdown.flatMap((file) =>
  [...read(file).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? "")
    .filter((link) => !/^[a-z]+:/.test(link))
    .map((link) => [file, link] as const),
);

describe("the links between README.md and docs/", () => {
  it("are found", () => {
    expect(links.length).toBeGreaterThan(20);
  });

  it.each(links)("%s: %s leads somewhere", (file, link) => {
    const [target = "", anchor] = link.split("#");
    const resolved = target === "" ? file : path.normalize(path.join(path.dirname(file), target));
    expect(fs.existsSync(path.join(root, resolved))).toBe(true);
    if (anchor !== undefined && resolved.endsWith(".md")) {
      expect([...anchorsOf(resolved)]).toContain(anchor);
    }
  });
});
