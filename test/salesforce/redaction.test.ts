import { describe, expect, it } from "vitest";
import { maskClientId, REDACTED, redact, spellings } from "../../src/salesforce/redaction.ts";

describe("maskClientId", () => {
  it("keeps the first and last four characters of a Consumer Key", () => {
    expect(maskClientId("3MVG9abcdefghijklmnopqrstuvwxyz")).toBe("3MVG…wxyz");
  });

  it("shows nothing of a short value", () => {
    expect(maskClientId("short-id")).toBe("…");
  });
});

describe("redact", () => {
  it("replaces a secret in every string of a nested value", () => {
    const value = { a: "x secret-value y", b: ["secret-value"], c: { d: 3, e: null } };
    expect(redact(value, { secrets: ["secret-value"] })).toEqual({
      a: `x ${REDACTED} y`,
      b: [REDACTED],
      c: { d: 3, e: null },
    });
  });

  it("catches the URL-encoded, form-encoded, JSON-escaped and base64 spellings", () => {
    const secret = 'p@ss w/"q"+&=';
    const variants = spellings(secret);
    expect(variants).toHaveLength(5);
    const redacted = redact(variants.join(" | "), { secrets: [secret] });
    expect(redacted).toBe(variants.map(() => REDACTED).join(" | "));
  });

  it("masks the client id instead of removing it", () => {
    const id = "3MVG9abcdefghijklmnopqrstuvwxyz";
    expect(
      redact(`key ${id}`, { secrets: [], masks: [{ value: id, replacement: "3MVG…wxyz" }] }),
    ).toBe("key 3MVG…wxyz");
  });

  it("leaves text alone when a secret is too short to match safely", () => {
    expect(redact("a b c", { secrets: ["a"] })).toBe("a b c");
  });

  it("does not change the value it was given", () => {
    const value = { a: "secret-value" };
    redact(value, { secrets: ["secret-value"] });
    expect(value.a).toBe("secret-value");
  });
});
