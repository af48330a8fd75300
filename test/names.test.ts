// The name shapes the settings check (components/names.ts), each on the
// whole string: what Kubernetes, DNS and registries accept, and what they do not.
import { digestRef, dnsLabel, envName, hostName, imageTag, isLocalRegistry, registryAddress, repositoryPath } from "../components/names";

const digest = `sha256:${"a".repeat(64)}`;
const label63 = "a".repeat(63);

describe.each([
  ["dnsLabel", dnsLabel, ["a", "goapi", "goapi-2", `a${"-".repeat(61)}a`], ["", "-goapi", "goapi-", "Goapi", "api_v2", "a".repeat(64)]],
  [
    "hostName",
    hostName,
    ["a", "a.b.c", "api.example.com", "x1.example-2.com", [label63, label63, label63, "a".repeat(61)].join(".")],
    ["", "Api.example.com", "api.example.com.", "*.example.com", "api..example.com", [label63, label63, label63, "a".repeat(62)].join(".")],
  ],
  [
    "registryAddress",
    registryAddress,
    ["a", "a:5000", "ghcr.io", "localhost:5001", "ghcr.io/acme", "ghcr.io/my-org", "registry.example.com:443/my_org.team/sub-team"],
    ["", "https://ghcr.io", "ghcr.io/", "ghcr.io/-acme", "ghcr.io/acme-", "ghcr.io/Acme", "ghcr.io:123456", "-ghcr.io"],
  ],
  [
    "repositoryPath",
    repositoryPath,
    ["goapi", "my-app", "my_app.v2", "team/app", "team/my-app", "team.a/sub_team/my-app"],
    ["", "Goapi", "goapi/", "/goapi", "goapi..x", "goapi-", "team/-app", "team/app-", "team//app"],
  ],
  ["imageTag", imageTag, ["v1", "_", "1.4.0-rc_1", `a${"1".repeat(127)}`], ["", ".v1", "-v1", "v1!", "v 1", `a${"1".repeat(128)}`]],
  [
    "digestRef",
    digestRef,
    [`goapi@${digest}`, `ghcr.io/acme/goapi@${digest}`, `127.0.0.1:5000/mirror/golang@${digest}`],
    ["goapi", `Goapi@${digest}`, `-goapi@${digest}`, `goapi@${digest}a`, `goapi@${digest}\n`, `goapi@sha256:${"a".repeat(63)}`, `goapi@sha256:${"A".repeat(64)}`],
  ],
  ["envName", envName, ["A", "_", "API_TOKEN", "DB_MAX_CONNS2"], ["", "2FA", "api_token", "API-TOKEN", "API TOKEN"]],
])("%s", (_name, pattern, accepted, refused) => {
  it.each(accepted)("accepts %p", (name) => {
    expect(pattern.test(name)).toBe(true);
  });
  it.each(refused)("refuses %p", (name) => {
    expect(pattern.test(name)).toBe(false);
  });
});

// A local registry takes pushes without credentials, so the settings ask for
// none: only the host decides, never a port, a path or a longer name.
describe("isLocalRegistry", () => {
  it.each(["localhost", "localhost:5001", "localhost:5001/team", "127.0.0.1", "127.0.0.1:5000", "registry.localhost", "kind-registry", "kind-registry:5000"])(
    "takes %p for the developer's own machine",
    (address) => {
      expect(isLocalRegistry(address)).toBe(true);
    },
  );
  it.each(["", "ghcr.io", "ghcr.io/localhost", "localhost.example.com", "mylocalhost", "127.0.0.10", "127.0.0.1.example.com", "kind-registry.example.com", "my-kind-registry"])(
    "does not take %p",
    (address) => {
      expect(isLocalRegistry(address)).toBe(false);
    },
  );
});
