// Reading what the program declared: plain values, secret markers, outputs.
import * as pulumi from "@pulumi/pulumi";
import type { Declared } from "./mocks";

const sigKey = "4dabf18193072939515e22adb298388d";
const secretSig = "1b47061264138c4ac30d75fd1eb44270";

/** True if v is a value the engine will store as a secret. */
export function isSecretValue(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[sigKey] === secretSig;
}

/** v with every secret marker replaced by the value it wraps. */
export function reveal(v: unknown): unknown {
  if (isSecretValue(v)) {
    return reveal((v as { value: unknown }).value);
  }
  if (Array.isArray(v)) {
    return v.map(reveal);
  }
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
  }
  return v;
}

/** Does any part of v hold a secret marker? */
export function containsSecret(v: unknown): boolean {
  if (isSecretValue(v)) {
    return true;
  }
  if (typeof v === "object" && v !== null) {
    return Object.values(v).some(containsSecret);
  }
  return false;
}

/**
 * The resolved value of an output. An unknown output (one only the engine
 * could fill in) fails at once with `what`, instead of never resolving.
 */
export async function valueOf<T>(o: pulumi.Output<T>, what = "an output"): Promise<T> {
  // isKnown is internal to the SDK, but it is the only way to tell "unknown" from "not yet".
  const known = (o as unknown as { isKnown?: Promise<boolean> }).isKnown;
  if (known === undefined) {
    throw new Error("this @pulumi/pulumi has no Output.isKnown: update test/helpers/values.ts");
  }
  if (!(await known)) {
    throw new Error(`${what} is unknown under mocks: the mocks must return the property it reads`);
  }
  return new Promise((resolve) => o.apply(resolve));
}

/** The one declared resource of this type (and Pulumi name, if given). */
export function one(declared: Declared[], type: string, name?: string): Declared {
  const found = declared.filter((d) => d.type === type && (name === undefined || d.name === name));
  if (found.length !== 1 || found[0] === undefined) {
    const what = name === undefined ? type : `${type} named ${name}`;
    throw new Error(`expected one ${what}, found ${found.length} among ${declared.map((d) => `${d.type} ${d.name}`).join(", ")}`);
  }
  return found[0];
}

/** The inputs of the one declared resource of this type (and name), secrets revealed. */
export function the(declared: Declared[], type: string, name?: string): unknown {
  return reveal(one(declared, type, name).inputs);
}

/** The raw inputs (secret markers kept) of the one declared resource of this type (and name). */
export function raw(declared: Declared[], type: string, name?: string): Record<string, unknown> {
  return one(declared, type, name).inputs;
}

/** Does `needle` appear in v outside every secret marker? */
export function exposes(v: unknown, needle: string): boolean {
  if (isSecretValue(v)) {
    return false;
  }
  if (typeof v === "string") {
    return v.includes(needle);
  }
  if (typeof v === "object" && v !== null) {
    return Object.values(v).some((x) => exposes(x, needle));
  }
  return false;
}
