import * as pulumi from "@pulumi/pulumi";
import { cidrProblem, databaseUrl, encryptedSslModes, parseCidr, sslModes, withinCidrs } from "../components/database";
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

  it.each(["10.0.0.0", "10.0.0.0/33", "fd00::/129", "db.example.com/24", "10.0.0.0/-1", "10.0.0/8", " 10.0.0.0/8", "10.0.0.0/8 ", "10.0.0.0/8,10.1.0.0/16"])("refuses %j", (cidr) => {
    expect(parseCidr(cidr)).toBeUndefined();
  });

  it("tells an address inside the CIDRs from one outside, per family", () => {
    expect(withinCidrs("10.0.3.4", ["192.168.0.0/16", "10.0.0.0/16"])).toBe(true);
    expect(withinCidrs("10.1.3.4", ["10.0.0.0/16"])).toBe(false);
    expect(withinCidrs("fd00::5", ["fd00::/64"])).toBe(true);
    expect(withinCidrs("fd01::5", ["fd00::/64", "10.0.0.0/8"])).toBe(false);
  });

  it("skips what is not a CIDR instead of failing on it", () => {
    expect(withinCidrs("10.0.3.4", ["db.example.com/24", "10.0.0.0/16"])).toBe(true);
    expect(withinCidrs("10.0.3.4", ["db.example.com/24"])).toBe(false);
  });

  it.each([
    ["10.0.0.0/16"],
    ["10.0.0.1/32"],
    ["0.0.0.0/0"],
    ["192.168.4.0/22"],
    ["fd00::/8"],
    ["fd00::/64"],
    ["::/0"],
    ["2001:db8::1/128"],
    ["2001:db8:0:1::/64"],
    ["::ffff:192.0.2.0/120"],
    ["fe80::1:0:0:0/80"],
  ])("finds nothing wrong with %s, whose host bits are clear", (cidr) => {
    expect(cidrProblem(cidr)).toBeUndefined();
  });

  it.each([
    ["10.0.0.1/16", "10.0.0.0/16"],
    ["10.1.255.255/8", "10.0.0.0/8"],
    ["192.168.7.9/22", "192.168.4.0/22"],
    ["172.16.0.1/31", "172.16.0.0/31"],
    ["fd00::1/8", "fd00::/8"],
    ["fd00:1:2:3:4:5:6:7/64", "fd00:1:2:3::/64"],
    ["2001:db8::1/127", "2001:db8::/127"],
    ["2001:db8:0:1::5/48", "2001:db8::/48"],
    ["::1/64", "::/64"],
    ["1::/0", "::/0"],
    ["2001:db8::ff:1/112", "2001:db8::ff:0/112"],
    ["::ffff:192.0.2.77/120", "::ffff:c000:200/120"],
    ["64:ff9b::192.0.2.33/120", "64:ff9b::c000:200/120"],
  ])("says %s has host bits set, and names its network %s", (cidr, network) => {
    expect(cidrProblem(cidr)).toBe(`has host bits set: the network is ${network}`);
  });

  it.each(["10.0.0.0", "fd00::/129", "db.example.com/24"])("says %s is no CIDR", (cidr) => {
    expect(cidrProblem(cidr)).toBe("must be a CIDR such as 10.0.0.0/16");
  });
});

describe("sslmode", () => {
  it("counts as encrypted exactly the modes that never send the password in clear text", () => {
    expect(Object.fromEntries(sslModes.map((m) => [m, encryptedSslModes.includes(m)]))).toEqual({
      disable: false,
      allow: false,
      prefer: false,
      require: true,
      "verify-ca": true,
      "verify-full": true,
    });
  });
});
