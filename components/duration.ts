// Go durations ("10s", "1m30s", "500ms"), as the app reads them from its
// environment, parsed only as far as comparing them needs.

const units: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };
const whole = /^(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h)(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))*$/;
const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g;

/** The duration in milliseconds, or undefined if Go's time.ParseDuration would refuse it (or it is negative). */
export function goDurationMilliseconds(d: string): number | undefined {
  if (d === "0") {
    return 0;
  }
  if (!whole.test(d)) {
    return undefined;
  }
  let total = 0;
  for (const [, value, unit] of d.matchAll(part)) {
    total += Number(value) * (units[unit ?? ""] ?? NaN);
  }
  return total;
}
