// The Pulumi program and the Go API agree on ports, probe paths, user and
// variable names: these read the app's own files, so a change on one side
// without the other fails here.
import * as fs from "node:fs";
import * as path from "node:path";
import { apiPort, appUid, metricsPort, probePaths, tokenEnv } from "../components/app-contract";
import { reservedEnv } from "../components/settings";

const app = path.join(__dirname, "..", "app");
const read = (file: string) => fs.readFileSync(path.join(app, file), "utf8");

describe("the app contract", () => {
  it("matches the ports and user of the Dockerfile", () => {
    const dockerfile = read("Dockerfile");
    expect(dockerfile).toContain(`EXPOSE ${apiPort} ${metricsPort}`);
    expect(dockerfile).toContain(`USER ${appUid}:${appUid}`);
  });

  it("matches the app's default ports", () => {
    const config = read("internal/config/config.go");
    expect(config).toContain(`r.port("PORT", ${apiPort})`);
    expect(config).toContain(`r.port("METRICS_PORT", ${metricsPort})`);
  });

  it("probes routes the app serves", () => {
    const routes = read("internal/api/api.go");
    for (const p of Object.values(probePaths)) {
      expect(routes).toContain(`"GET ${p}"`);
    }
  });

  it("sets only variables the app reads", () => {
    const config = read("internal/config/config.go");
    for (const name of [tokenEnv, ...reservedEnv]) {
      expect(config).toContain(`"${name}"`);
    }
  });
});
