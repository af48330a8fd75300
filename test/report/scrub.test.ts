// Local paths never reach a comment or a job summary.
import * as os from "node:os";
import { machinePathsIn, scrubPaths } from "../../report/scrub";

describe("scrubPaths", () => {
  it("shows the checkout as . and hides other machine paths", () => {
    const trace = "Error: boom\n    at Object.<anonymous> (/home/runner/work/goapi/goapi/components/settings.ts:12:3)\n    at /home/runner/.npm/_npx/x.js:1:1";
    expect(scrubPaths(trace, { root: "/home/runner/work/goapi/goapi" })).toBe("Error: boom\n    at Object.<anonymous> (./components/settings.ts:12:3)\n    at <path>:1:1");
  });

  it("hides temp, home and file:// paths, and Windows user paths", () => {
    const text = `rendered to /tmp/render-1234/1-manifest/x.yaml, file:///Users/ann/src/goapi/index.ts and C:\\Users\\ann\\goapi; home ${os.homedir()}/.kube/config`;
    const out = scrubPaths(text);
    expect(machinePathsIn(out)).toEqual([]);
    expect(out).toBe("rendered to <path>, <path> and <path>; home <path>");
  });

  it("hides source positions that climb out of the project, keeps those inside it", () => {
    const text = "project:///../../../work/ci/node_modules/@pulumi/runtime/stack.ts#38,19 and project:///components/pod.ts#12,3";
    expect(scrubPaths(text)).toBe("<path> and project:///components/pod.ts#12,3");
  });

  it("hides directories it is told about", () => {
    expect(scrubPaths("wrote /srv/ci/runner-7/diff.txt", { hide: ["/srv/ci/runner-7"] })).toBe("wrote <path>");
  });

  it("keeps paths that are not on a machine: URL paths, probe paths, resource fields", () => {
    const text = "GET /readyz on http://goapi.example.com/v1/items; spec.template.spec.containers[0].image; /tmpfs-like /homework";
    expect(scrubPaths(text)).toBe(text);
  });
});
