// Waiting on a cluster without relying on timing: poll until a condition
// holds or a generous deadline passes, and on timeout say what was seen.

export interface Probe<T> {
  done: boolean;
  /** What was observed, reported when the deadline passes. */
  seen: T;
}

const interval = 250;

/**
 * Polls `probe` until it reports done, and returns what it saw then. The
 * deadline only bounds a failing run; a passing run ends as soon as it can.
 */
export async function eventually<T>(what: string, seconds: number, probe: () => Promise<Probe<T>>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  const history: string[] = [];
  for (;;) {
    const { done, seen } = await probe();
    if (done) {
      return seen;
    }
    const line = JSON.stringify(seen);
    if (history.at(-1) !== line) {
      history.push(line);
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${seconds}s. Observed, oldest first:\n${history.slice(-10).join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
