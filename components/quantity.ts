// Kubernetes resource quantities ("250m", "128Mi", "1.5", "2e3"), parsed only
// as far as validation and request <= limit comparisons need.

const suffixes: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const pattern = /^(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/** The quantity's value in base units, or undefined if it is not a quantity. */
export function parseQuantity(q: string): number | undefined {
  const match = pattern.exec(q);
  if (!match) {
    return undefined;
  }
  const [, num, suffix, exponent] = match;
  const value = Number(num);
  return exponent === undefined ? value * (suffixes[suffix ?? ""] ?? 1) : value * 10 ** Number(exponent);
}
