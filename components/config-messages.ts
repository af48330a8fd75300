// How a problem in a stack file reads to the person who wrote it: the
// schema's own messages where it has them, and for the rest a sentence in the
// stack file's terms (YAML, quotes, the bound) instead of zod's defaults,
// which speak of types ("expected string, received number") and say
// "Too small" without the bound.
import type { z } from "zod";

/** A YAML scalar that YAML read as a number or boolean where text was meant: how to write it. */
export function quoteHint(input: unknown): string | undefined {
  if (typeof input !== "number" && typeof input !== "boolean") {
    return undefined;
  }
  return `write "${String(input)}" in quotes (YAML reads ${String(input)} as a ${typeof input})`;
}

const shapes: Record<string, string> = {
  object: "a YAML mapping (key: value lines)",
  record: "a YAML mapping (key: value lines)",
  array: "a YAML list",
  boolean: "true or false",
  int: "a whole number",
  number: "a number",
};

/** zod's per-parse error map: undefined keeps zod's own message (only for issues not covered here). */
export function explainIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type": {
      if (issue.input === undefined) {
        return "is required";
      }
      if (issue.expected === "string") {
        return `must be text: ${quoteHint(issue.input) ?? `not ${JSON.stringify(issue.input)}`}`;
      }
      return `must be ${shapes[issue.expected] ?? `a ${issue.expected}`}`;
    }
    case "too_small":
      return issue.origin === "number" ? `must be at least ${String(issue.minimum)}` : `must have at least ${String(issue.minimum)}`;
    case "too_big":
      return issue.origin === "number" ? `must be at most ${String(issue.maximum)}` : `must have at most ${String(issue.maximum)}`;
    case "invalid_value":
      return `must be one of ${issue.values.map(String).join(", ")}`;
    case "invalid_key":
      // A record's key: the key schema's own message.
      return issue.issues[0]?.message;
    default:
      return undefined;
  }
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known key an unknown one is most likely a typo of: at most a third of its letters off. */
export function nearestKey(unknown: string, known: readonly string[]): string | undefined {
  const lower = unknown.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(lower, key.toLowerCase());
    if (distance <= Math.max(1, Math.floor(Math.min(unknown.length, key.length) / 3)) && (best === undefined || distance < best.distance)) {
      best = { key, distance };
    }
  }
  return best?.key;
}
