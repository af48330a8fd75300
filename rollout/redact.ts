// What a failed rollout prints comes from the cluster, and a pod's logs or a
// termination message may echo anything it was given: every value the stack
// holds as a secret is cut out, and so is the password of anything that looks
// like a URL with credentials (user:password@host), known or not.

/** Secrets shorter than this are not searched for: they would blank out ordinary words. */
export const shortestSecret = 6;
export const redacted = "[redacted]";

const urlPassword = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A function that redacts `secrets` (and URL passwords) from a text. */
export function redactor(secrets: Iterable<string>): (text: string) => string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s.length >= shortestSecret) {
      // As given, and as it stands inside a URL (DATABASE_URL holds the password encoded).
      forms.add(s);
      forms.add(encodeURIComponent(s));
    }
  }
  // Longest first, so a secret that contains another is cut out whole.
  const known = [...forms].sort((a, b) => b.length - a.length);
  const pattern = known.length === 0 ? undefined : new RegExp(known.map(escapeRegExp).join("|"), "g");
  return (text) => {
    const withoutKnown = pattern === undefined ? text : text.replace(pattern, redacted);
    return withoutKnown.replace(urlPassword, `$1${redacted}@`);
  };
}
