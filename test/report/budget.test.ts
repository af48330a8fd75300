// Sizes are UTF-8 bytes, so a text within budget fits GitHub's limit whatever
// characters it holds; each bound is pinned on both sides, with multi-byte text.
import { Budget, clip, sizeOf } from "../../report/budget";

describe("sizeOf", () => {
  it("counts UTF-8 bytes, not UTF-16 code units", () => {
    expect(sizeOf("abc")).toBe(3);
    expect(sizeOf("é")).toBe(2);
    expect(sizeOf("設")).toBe(3);
    expect(sizeOf("😀")).toBe(4); // two UTF-16 code units
  });
});

describe("Budget", () => {
  it("takes multi-byte text that fills it exactly, and nothing after", () => {
    const b = new Budget(10);
    expect(b.take("ééééé")).toBe(true); // 5 characters, 10 bytes
    expect(b.remaining).toBe(0);
    expect(b.take("x")).toBe(false);
  });

  it("refuses multi-byte text one byte too large, and keeps its room", () => {
    const b = new Budget(9);
    expect(b.take("ééééé")).toBe(false);
    expect(b.remaining).toBe(9);
    expect(b.take("設設設")).toBe(true);
    expect(b.remaining).toBe(0);
  });

  it("keeps the reserve free: fits with exactly the reserve left, not a byte less", () => {
    const fits = new Budget(10);
    expect(fits.take("😀", 6)).toBe(true);
    expect(fits.remaining).toBe(6);
    expect(new Budget(10).take("😀", 7)).toBe(false);
  });

  it("spends reserved room whatever is left", () => {
    const b = new Budget(4);
    expect(b.take("ab", 2)).toBe(true);
    b.spend("😀");
    expect(b.remaining).toBe(-2);
    expect(b.take("")).toBe(false);
  });
});

describe("clip", () => {
  it("keeps text of at most max characters and cuts longer text to max, marked", () => {
    expect(clip("abcde", 5)).toBe("abcde");
    expect(clip("abcdef", 5)).toBe("abcd…");
    expect(clip("abcdef", 0)).toBe("…");
  });
});
