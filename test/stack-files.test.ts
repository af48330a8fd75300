import { loadSettings } from "../components/settings";
import { cliConfig } from "./helpers/stack";

function settingsOf(stack: string, set: Record<string, string> = {}, secrets: Record<string, string> = {}) {
  const { config } = cliConfig(stack, set, secrets);
  const raw = Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(/^goapi:/, ""), v]));
  return () => loadSettings(stack, raw);
}

describe("the committed stack files", () => {
  it.each(["dev", "prod"])("%s asks for registry credentials before anything is created", (stack) => {
    expect(settingsOf(stack)).toThrow(/goapi:registryUsername: is required to push to ghcr\.io\/your-org[\s\S]*goapi:registryPassword: is required/);
  });

  it("local needs nothing beyond its file", () => {
    expect(settingsOf("local")).not.toThrow();
  });

  it("prod refuses to lose TLS", () => {
    const withoutTls = { ingress: JSON.stringify({ host: "goapi.example.com" }) };
    expect(settingsOf("prod", withoutTls, { registryPassword: "x" })).toThrow(/goapi:ingress\.tls: is required on the prod stack/);
  });
});
