// Where a stack's PostgreSQL is and how the app connects to it: the shapes
// settings.ts returns and the components take, the connection URL, and the
// address checks the NetworkPolicy's egress rule depends on.
import { BlockList, isIP } from "node:net";
import * as pulumi from "@pulumi/pulumi";

export const postgresPort = 5432;

/** libpq's sslmode values, weakest first. */
export const sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;
export type SslMode = (typeof sslModes)[number];
/** The modes that never send the password over an unencrypted connection. */
export const encryptedSslModes: readonly SslMode[] = ["require", "verify-ca", "verify-full"];

/** A PostgreSQL pod of the stack's own, in its namespace (components/postgres.ts). */
export interface InClusterDatabase {
  kind: "inCluster";
  /** Size of the data volume when it is first created. */
  storage: string;
  /** StorageClass of the data volume; the cluster's default when unset. */
  storageClassName?: string;
  /** The PostgreSQL image, pinned by digest; the official one when unset. */
  image?: string;
}

/** An existing database outside the stack, reached over the network. */
export interface ExternalDatabase {
  kind: "external";
  /** DNS name or IP address of the server. */
  host: string;
  port: number;
  /** Database name. */
  name: string;
  user: string;
  sslmode: SslMode;
  /** Where the server's addresses are, for the NetworkPolicy's egress rule; empty allows any address on the port. */
  cidrs: string[];
}

export type DatabasePlacement = InClusterDatabase | ExternalDatabase;

/** The database part of the settings: where it is and how the app uses it. */
export interface DatabaseSettings {
  placement: DatabasePlacement;
  /** DB_MAX_CONNS: the app's request pool per pod. */
  maxConns: number;
  /** DB_STATEMENT_TIMEOUT, in milliseconds. */
  statementTimeoutMilliseconds: number;
}

export interface Connection {
  user: string;
  password: pulumi.Input<string>;
  host: pulumi.Input<string>;
  port: number;
  database: string;
  sslmode: SslMode;
}

/**
 * The DATABASE_URL the app reads, as a secret: user, password and database
 * name percent-encoded, so any password works.
 */
export function databaseUrl(c: Connection): pulumi.Output<string> {
  const e = encodeURIComponent;
  return pulumi.secret(
    pulumi.all([c.host, c.password]).apply(([host, password]) => {
      const address = isIP(host) === 6 ? `[${host}]` : host;
      return `postgres://${e(c.user)}:${e(password)}@${address}:${c.port}/${e(c.database)}?sslmode=${c.sslmode}`;
    }),
  );
}

interface Cidr {
  address: string;
  prefix: number;
  family: "ipv4" | "ipv6";
}

/** An IPv4 or IPv6 CIDR as Kubernetes takes it in ipBlock.cidr, or undefined. */
export function parseCidr(cidr: string): Cidr | undefined {
  const match = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(cidr);
  const version = isIP(match?.[1] ?? "");
  if (!match?.[1] || version === 0) {
    return undefined;
  }
  const prefix = Number(match[2]);
  return prefix <= (version === 4 ? 32 : 128) ? { address: match[1], prefix, family: version === 4 ? "ipv4" : "ipv6" } : undefined;
}

/** The address as a number, and its width in bits. */
function addressBits(address: string, family: Cidr["family"]): bigint {
  if (family === "ipv4") {
    return address.split(".").reduce((n, octet) => (n << 8n) | BigInt(Number(octet)), 0n);
  }
  const [head = "", tail] = address.split("::");
  const groups = (part: string | undefined) =>
    (part ?? "")
      .split(":")
      .filter((g) => g !== "")
      // An embedded IPv4 address (::ffff:192.0.2.1) is two groups.
      .flatMap((g) => (g.includes(".") ? [Number(addressBits(g, "ipv4") >> 16n).toString(16), Number(addressBits(g, "ipv4") & 0xffffn).toString(16)] : [g]));
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function formatAddress(bits: bigint, family: Cidr["family"]): string {
  if (family === "ipv4") {
    return [24n, 16n, 8n, 0n].map((shift) => String((bits >> shift) & 0xffn)).join(".");
  }
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => ((bits >> shift) & 0xffffn).toString(16));
  // The WHATWG URL parser writes an IPv6 address in its canonical short form (RFC 5952).
  return new URL(`http://[${groups.join(":")}]/`).hostname.slice(1, -1);
}

/**
 * What is wrong with a CIDR for ipBlock.cidr, or undefined: not a CIDR, or an
 * address with host bits set (10.0.0.1/16), which reads as one host but means
 * the whole network.
 */
export function cidrProblem(cidr: string): string | undefined {
  const c = parseCidr(cidr);
  if (c === undefined) {
    return "must be a CIDR such as 10.0.0.0/16";
  }
  const width = c.family === "ipv4" ? 32n : 128n;
  const hostBits = width - BigInt(c.prefix);
  const bits = addressBits(c.address, c.family);
  const network = (bits >> hostBits) << hostBits;
  return network === bits ? undefined : `has host bits set: the network is ${formatAddress(network, c.family)}/${String(c.prefix)}`;
}

/** Is the IP address `address` inside one of `cidrs`? */
export function withinCidrs(address: string, cidrs: string[]): boolean {
  const family = isIP(address) === 6 ? "ipv6" : "ipv4";
  const list = new BlockList();
  for (const c of cidrs.map(parseCidr)) {
    if (c !== undefined) {
      list.addSubnet(c.address, c.prefix, c.family);
    }
  }
  return list.check(address, family);
}
