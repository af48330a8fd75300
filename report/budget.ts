// A size budget for text that must fit a hard limit. Sizes are UTF-8 bytes,
// never fewer than the characters GitHub counts, so a text within budget is
// within GitHub's limit whatever it contains.

export function sizeOf(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

export class Budget {
  private used = 0;

  constructor(private readonly limit: number) {}

  get remaining(): number {
    return this.limit - this.used;
  }

  /** Takes `text` if it fits with `reserve` bytes left over; says whether it did. */
  take(text: string, reserve = 0): boolean {
    const size = sizeOf(text);
    if (size + reserve > this.remaining) {
      return false;
    }
    this.used += size;
    return true;
  }

  /** Spends room kept back earlier with `reserve`. */
  spend(text: string): void {
    this.used += sizeOf(text);
  }
}

/** `text` cut to at most `max` characters, marked where it was cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
