// The job summary: the report, then the whole --diff text of the preview.
import { renderJobSummary, summaryDiffLimit } from "../../report/job-summary";
import { machinePathsIn } from "../../report/scrub";
import { cases, fixtureText, reportOf } from "../helpers/previews";

describe("the job summary", () => {
  it.each(cases)("%s: holds every line of the recorded --diff text after the report", (c) => {
    const diff = fixtureText(c, "diff.txt");
    const summary = renderJobSummary(reportOf(c), diff);
    expect(summary).not.toContain("<!-- goapi-preview:");
    expect(summary.indexOf("**Deletes or replaces something")).toBeLessThan(summary.indexOf("Previewing update (dev)"));
    for (const line of diff.trimEnd().split("\n")) {
      expect(summary).toContain(line);
    }
    expect(machinePathsIn(summary)).toEqual([]);
  });

  it("drops terminal colours and local paths from the diff", () => {
    const summary = renderJobSummary(reportOf("error"), "\x1b[31merror:\x1b[0m in /home/runner/work/goapi/goapi/index.ts\n", { scrub: { root: "/home/runner/work/goapi/goapi" } });
    expect(summary).toContain("error: in ./index.ts");
  });

  it("cuts a diff larger than a summary takes, and says where the whole text is", () => {
    const diff = "~ a line of a very large diff\n".repeat(Math.ceil((summaryDiffLimit * 2) / 30));
    const summary = renderJobSummary(reportOf("update"), diff, { artifactNote: "The whole text is in the run's artifacts." });
    expect(Buffer.byteLength(summary)).toBeLessThan(1024 * 1024);
    expect(summary).toMatch(/The diff was cut at \d+ characters to fit the job summary\. The whole text is in the run's artifacts\./);
  });

  it("fences a diff that contains backticks", () => {
    const summary = renderJobSummary(reportOf("update"), "```\nx\n```\n");
    expect(summary).toContain("````diff\n```\nx\n```\n````");
  });
});
