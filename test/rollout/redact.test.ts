import { redacted, redactor, shortestSecret } from "../../rollout/redact";

describe("redactor", () => {
  const redact = redactor(["s3cr3t-value", "s3cr3t-value-longer", "p@ss/w0rd+", "tiny"]);

  it("cuts out each known secret, a longer one whole", () => {
    expect(redact("a s3cr3t-value b s3cr3t-value-longer c")).toBe(`a ${redacted} b ${redacted} c`);
  });

  it("cuts out a secret as it stands encoded inside a URL", () => {
    expect(redact("dsn=x://u@h?password=p%40ss%2Fw0rd%2B")).toBe(`dsn=x://u@h?password=${redacted}`);
  });

  it("cuts out the password of any URL with credentials, known or not", () => {
    expect(redact('dial "postgres://goapi:unknownPw@db:5432/goapi" failed')).toBe(`dial "postgres://goapi:${redacted}@db:5432/goapi" failed`);
    expect(redact("https://user:pw@example.com/ and http://example.com:8080/x")).toBe(`https://user:${redacted}@example.com/ and http://example.com:8080/x`);
  });

  it(`leaves secrets shorter than ${String(shortestSecret)} characters alone, which would blank out ordinary words`, () => {
    expect(redact("a tiny word")).toBe("a tiny word");
    expect(redactor(["sixsix"])("sixsix")).toBe(redacted);
    expect(redactor(["fiver"])("fiver")).toBe("fiver");
  });

  it("treats secrets as text, not patterns", () => {
    expect(redactor(["a.b*c+d?"])("a.b*c+d? aXbbcd")).toBe(`${redacted} aXbbcd`);
  });
});
