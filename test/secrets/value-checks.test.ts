import { assert, describe, expect, it } from "vitest";
import { checkSecretValue, SECRET_VALUE_MAX_BYTES } from "../../src/secrets/value-checks.ts";

function warningsFor(value: string): string[] {
  const check = checkSecretValue(value);
  assert(check.ok, "expected the value to be accepted");
  return check.warnings;
}

function refused(value: string) {
  const check = checkSecretValue(value);
  assert(!check.ok, "expected the value to be refused");
  return check;
}

// Every run of 4 characters of the canary: finding any of them in a message means part of the
// value leaked, not only the whole of it.
function expectNoPartOf(canary: string, texts: string[]) {
  const joined = texts.join("\n");
  for (let start = 0; start + 4 <= canary.length; start += 1) {
    expect(joined).not.toContain(canary.slice(start, start + 4));
  }
}

describe("checkSecretValue refusals", () => {
  it("accepts an ordinary value without warnings", () => {
    expect(checkSecretValue("3MVG9fTLmJ60pJ5K.Consumer.Key")).toEqual({ ok: true, warnings: [] });
  });

  it("refuses an empty value", () => {
    expect(refused("")).toEqual({
      ok: false,
      problem: "empty",
      message: "The value is empty. Enter the secret's value.",
    });
  });

  it("accepts a value of only whitespace, with a warning", () => {
    expect(warningsFor("   ")).toEqual([
      "The value is only whitespace. Check that this is what the secret should be.",
    ]);
  });

  it("accepts a value of exactly 48 KiB", () => {
    expect(SECRET_VALUE_MAX_BYTES).toBe(49_152);
    expect(checkSecretValue("x".repeat(SECRET_VALUE_MAX_BYTES)).ok).toBe(true);
  });

  it("refuses a value one byte over 48 KiB, with the limit and the actual size", () => {
    expect(refused("x".repeat(SECRET_VALUE_MAX_BYTES + 1))).toEqual({
      ok: false,
      problem: "too-large",
      message:
        "A value may be at most 48 KiB (49,152 bytes) of UTF-8; this one is 48.1 KiB " +
        "(49,153 bytes).",
    });
  });

  it("measures the size in UTF-8 bytes, not characters", () => {
    const euros = "€".repeat(SECRET_VALUE_MAX_BYTES / 3);
    expect(checkSecretValue(euros).ok).toBe(true);
    expect(refused(`${euros}a`).problem).toBe("too-large");
  });

  it("gives the size of a much larger value in KiB", () => {
    expect(refused("x".repeat(100 * 1024)).message).toContain("this one is 100.0 KiB");
  });

  it("refuses a lone high surrogate and says where it is", () => {
    const check = refused("ab\ud83dcd");
    expect(check.problem).toBe("lone-surrogate");
    expect(check.message).toContain("at character 3");
  });

  it("refuses a lone low surrogate", () => {
    expect(refused("\ude00abc").problem).toBe("lone-surrogate");
  });

  it("accepts a complete surrogate pair such as an emoji", () => {
    expect(warningsFor("key-🔑-value")).toEqual([]);
  });

  it("refuses a NUL character and says where it is", () => {
    expect(refused("abc\u0000def")).toEqual({
      ok: false,
      problem: "nul-character",
      message:
        "The value contains a NUL character (U+0000) at character 4; a secret cannot hold it.",
    });
  });
});

describe("checkSecretValue whitespace warnings", () => {
  it("warns that a pasted Consumer Secret ends with a line break", () => {
    expect(warningsFor("A1B2C3D4E5\n")).toEqual([
      "The value ends with a line break. Remove it unless the secret needs it.",
    ]);
  });

  it("counts a Windows line ending as one line break", () => {
    expect(warningsFor("A1B2C3\r\n")[0]).toContain("ends with a line break.");
  });

  it("warns about a leading space", () => {
    expect(warningsFor(" secret")).toEqual([
      "The value starts with a space. Remove it unless the secret needs it.",
    ]);
  });

  it("names each kind of whitespace at an end, with counts, in order", () => {
    expect(warningsFor("\t\tsecret  \n")).toEqual([
      "The value starts with 2 tabs. Remove it unless the secret needs it.",
      "The value ends with 2 spaces and a line break. Remove it unless the secret needs it.",
    ]);
  });

  it("does not warn about line breaks and tabs inside a multi-line value", () => {
    const pem =
      "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\tkqhkiG9w0BAQEF\n-----END PRIVATE KEY-----";
    expect(warningsFor(pem)).toEqual([]);
  });
});

describe("checkSecretValue invisible characters", () => {
  it.each([
    ["\u200b", "a zero-width space (U+200B)"],
    ["\u200c", "a zero-width non-joiner (U+200C)"],
    ["\u200d", "a zero-width joiner (U+200D)"],
    ["\u2060", "a word joiner (U+2060)"],
    ["\ufeff", "a byte order mark (U+FEFF)"],
    ["\u00ad", "a soft hyphen (U+00AD)"],
    ["\u00a0", "a non-breaking space (U+00A0)"],
    ["\u0007", "a control character (U+0007)"],
    ["\u001b", "a control character (U+001B)"],
    ["\u007f", "a control character (U+007F)"],
    ["\u0085", "a control character (U+0085)"],
    ["\u202a", "a left-to-right embedding (U+202A)"],
    ["\u202e", "a right-to-left override (U+202E)"],
    ["\u2066", "a left-to-right isolate (U+2066)"],
    ["\u2069", "a pop directional isolate (U+2069)"],
    ["\u200f", "a right-to-left mark (U+200F)"],
    ["\u{e0041}", "an invisible tag character (U+E0041)"],
  ])("names the invisible character %j and where it is", (character, name) => {
    expect(warningsFor(`secret${character}value`)).toEqual([
      `The value contains ${name} at character 7.`,
    ]);
  });

  it("counts positions in characters, an emoji being one", () => {
    expect(warningsFor("🔑🔑\u200bx")).toEqual([
      "The value contains a zero-width space (U+200B) at character 3.",
    ]);
  });

  it("lists up to three places of a repeated character", () => {
    expect(warningsFor("a\u200bb\u200bc\u200b")).toEqual([
      "The value contains a zero-width space (U+200B) at characters 2, 4 and 6.",
    ]);
  });

  it("counts the places beyond the third", () => {
    expect(warningsFor("a\u200b\u200b\u200b\u200b\u200bz")).toEqual([
      "The value contains a zero-width space (U+200B) at characters 2, 3, 4 and 2 more places.",
    ]);
  });

  it("gives one warning per kind of character, in the order they first appear", () => {
    expect(warningsFor("a\ufeffb\u200bc\ufeff")).toEqual([
      "The value contains a byte order mark (U+FEFF) at characters 2 and 6.",
      "The value contains a zero-width space (U+200B) at character 4.",
    ]);
  });

  it("summarises after five kinds of invisible character", () => {
    const warnings = warningsFor("a\u0001\u0002\u0003\u0004\u0005\u0006\u0007z");
    expect(warnings).toHaveLength(6);
    expect(warnings[5]).toBe("The value contains 2 more kinds of invisible or control character.");
  });

  it("warns about both an invisible character and a trailing line break", () => {
    expect(warningsFor("\u200bsecret\n")).toEqual([
      "The value ends with a line break. Remove it unless the secret needs it.",
      "The value contains a zero-width space (U+200B) at character 1.",
    ]);
  });
});

describe("checkSecretValue never repeats the value", () => {
  const canary = "qZ8xK2vW9pL4";

  it("keeps the value out of every warning", () => {
    const value = ` \t${canary}\u200b${canary}\u00a0\u202e${canary}\u0007\r\n `;
    const warnings = warningsFor(value);
    expect(warnings.length).toBeGreaterThan(3);
    expectNoPartOf(canary, warnings);
  });

  it("keeps the value out of every refusal", () => {
    const messages = [
      refused(canary.repeat(5000)).message,
      refused(`${canary}\ud800${canary}`).message,
      refused(`${canary}\u0000${canary}`).message,
    ];
    expectNoPartOf(canary, messages);
  });
});
