import * as pulumi from "@pulumi/pulumi";
import { databaseUrl, parseCidr, withinCidrs } from "../components/database";
import { installMocks } from "./helpers/mocks";
import { valueOf } from "./helpers/values";

beforeAll(async () => {
  await installMocks("test");
});

describe("databaseUrl", () => {
  const connection = { user: "goapi", host: "db.example.test", port: 5432, database: "goapi", sslmode: "require" } as const;

  it("is a secret even when the password comes as plain text", async () => {
    const url = databaseUrl({ ...connection, password: "plain-text" });
    expect(await pulumi.isSecret(url)).toBe(true);
    expect(await valueOf(url)).toBe("postgres://goapi:plain-text@db.example.test:5432/goapi?sslmode=require");
  });

  it("percent-encodes the password, so any password works", async () => {
    const password = "p@ss:w/rd?#%&=+ ";
    const url = await valueOf(databaseUrl({ ...connection, password }));
    expect(decodeURIComponent(new URL(url).password)).toBe(password);
    expect(new URL(url).host).toBe("db.example.test:5432");
  });

  it("brackets an IPv6 host and leaves an IPv4 one as is", async () => {
    expect(new URL(await valueOf(databaseUrl({ ...connection, password: "pw", host: "fd00::5" }))).host).toBe("[fd00::5]:5432");
    expect(new URL(await valueOf(databaseUrl({ ...connection, password: "pw", host: "10.1.2.3" }))).host).toBe("10.1.2.3:5432");
  });
});

describe("CIDRs", () => {
  it.each(["10.0.0.0/16", "192.168.1.7/32", "0.0.0.0/0", "fd00::/64", "2001:db8::1/128"])("takes %s", (cidr) => {
    expect(parseCidr(cidr)).toBeDefined();
  });

  it.each(["10.0.0.0", "10.0.0.0/33", "fd00::/129", "db.example.com/24", "10.0.0.0/-1", "10.0.0/8"])("refuses %s", (cidr) => {
    expect(parseCidr(cidr)).toBeUndefined();
  });

  it("tells an address inside the CIDRs from one outside, per family", () => {
    expect(withinCidrs("10.0.3.4", ["192.168.0.0/16", "10.0.0.0/16"])).toBe(true);
    expect(withinCidrs("10.1.3.4", ["10.0.0.0/16"])).toBe(false);
    expect(withinCidrs("fd00::5", ["fd00::/64"])).toBe(true);
    expect(withinCidrs("fd01::5", ["fd00::/64", "10.0.0.0/8"])).toBe(false);
  });
});
