import { assert, describe, expect, it } from "vitest";
import {
  checkSecretName,
  SECRET_NAME_MAX_LENGTH,
  SECRET_NAME_PATTERN,
} from "../../src/secrets/names.ts";

function refused(input: string) {
  const check = checkSecretName(input);
  assert(!check.ok, `expected ${JSON.stringify(input)} to be refused`);
  return check;
}

describe("checkSecretName", () => {
  it.each(["SALESFORCE_CLIENT_ID", "A", "_", "_PRIVATE", "KEY_2", "X9"])(
    "accepts the valid name %s unchanged",
    (input) => {
      expect(checkSecretName(input)).toEqual({ ok: true, name: input, changed: false });
    },
  );

  it("offers a lower-case name in upper case", () => {
    expect(checkSecretName("salesforce_client_id")).toEqual({
      ok: true,
      name: "SALESFORCE_CLIENT_ID",
      changed: true,
    });
  });

  it("offers a mixed-case name in upper case", () => {
    expect(checkSecretName("Salesforce_Instance_Url")).toMatchObject({
      ok: true,
      name: "SALESFORCE_INSTANCE_URL",
    });
  });

  it("trims surrounding whitespace and says the name changed", () => {
    expect(checkSecretName("  API_KEY\t\n")).toEqual({ ok: true, name: "API_KEY", changed: true });
  });

  it("accepts a name of exactly the maximum length", () => {
    const name = "A".repeat(SECRET_NAME_MAX_LENGTH);
    expect(checkSecretName(name)).toEqual({ ok: true, name, changed: false });
  });

  it("refuses an empty name", () => {
    expect(refused("")).toEqual({ ok: false, problem: "empty", message: "Enter a secret name." });
  });

  it("refuses a name of only whitespace as empty", () => {
    expect(refused(" \t ").problem).toBe("empty");
  });

  it("refuses a secret name with a dash, says where, and suggests underscores", () => {
    expect(refused("SALESFORCE-CLIENT_ID")).toEqual({
      ok: false,
      problem: "invalid-character",
      message:
        "A secret name may not contain “-” (position 11). " +
        "Use letters A to Z, digits and underscores.",
      suggestion: "SALESFORCE_CLIENT_ID",
    });
  });

  it("refuses a secret name with a space and names the space", () => {
    const check = refused("CLIENT SECRET");
    expect(check.message).toContain("a space (position 7)");
    expect(check.suggestion).toBe("CLIENT_SECRET");
  });

  it("refuses a secret name with a dot", () => {
    const check = refused("app.token");
    expect(check.message).toContain("“.” (position 4)");
    expect(check.suggestion).toBe("APP_TOKEN");
  });

  it("counts positions in the trimmed name", () => {
    expect(refused("   AB-C").message).toContain("(position 3)");
  });

  it("lists each distinct bad character once, at its first position, joined with or", () => {
    const check = refused("a-b-c.d e");
    expect(check.message).toContain(
      "may not contain “-” (position 2), “.” (position 6) or a space (position 8).",
    );
  });

  it("lists at most three bad characters and counts the rest", () => {
    const check = refused("A-B.C D$E%F");
    expect(check.message).toContain("“-” (position 2), “.” (position 4), a space (position 6)");
    expect(check.message).toContain("or 2 other characters.");
  });

  it("turns a run of separators into one underscore in the suggestion", () => {
    expect(refused("my - secret").suggestion).toBe("MY_SECRET");
  });

  it("names a tab and a line break inside a name", () => {
    expect(refused("A\tB").message).toContain("a tab (position 2)");
    expect(refused("A\nB").message).toContain("a line break (position 2)");
  });

  it("names an invisible character with its code point", () => {
    const check = refused("API\u200bKEY");
    expect(check.message).toContain("a zero-width space (U+200B) (position 4)");
    expect(check.suggestion).toBeUndefined();
  });

  it("quotes another character and offers no suggestion for it", () => {
    const check = refused("PRICE$");
    expect(check.message).toContain("“$” (position 6)");
    expect(check).not.toHaveProperty("suggestion");
  });

  it("refuses letters outside A to Z rather than upper-casing them into other letters", () => {
    const check = refused("straße");
    expect(check.problem).toBe("invalid-character");
    expect(check.message).toContain("“ß” (position 5)");
  });

  it("counts an emoji as one character when giving positions", () => {
    expect(refused("🔑KEY-").message).toContain("“-” (position 5)");
  });

  it("refuses a name that starts with a digit and suggests an underscore in front", () => {
    expect(refused("1PASSWORD_TOKEN")).toEqual({
      ok: false,
      problem: "starts-with-digit",
      message: "A secret name may not start with a digit. Start it with a letter or an underscore.",
      suggestion: "_1PASSWORD_TOKEN",
    });
  });

  it("refuses a name one character too long, saying the limit and the length", () => {
    const check = refused("A".repeat(SECRET_NAME_MAX_LENGTH + 1));
    expect(check.problem).toBe("too-long");
    expect(check.message).toBe(
      "A secret name may be at most 128 characters long; this one has 129.",
    );
    expect(check).not.toHaveProperty("suggestion");
  });

  it("reports every problem of a name in one message, the first as the problem", () => {
    const check = refused(`9-${"A".repeat(SECRET_NAME_MAX_LENGTH)}`);
    expect(check.problem).toBe("invalid-character");
    expect(check.message).toContain("may not contain “-”");
    expect(check.message).toContain("may not start with a digit");
    expect(check.message).toContain("this one has 130");
    expect(check.suggestion).toBeUndefined();
  });

  it("suggests only names that pass the check themselves", () => {
    for (const input of ["a-b", "1.x", "-lead", "tail.", "x y  z", "0", "client secret 2"]) {
      const { suggestion } = refused(input);
      assert(suggestion !== undefined, `expected a suggestion for ${input}`);
      expect(checkSecretName(suggestion)).toEqual({ ok: true, name: suggestion, changed: false });
    }
  });

  it("exports the pattern and the maximum length that the check applies", () => {
    expect(SECRET_NAME_MAX_LENGTH).toBe(128);
    expect(SECRET_NAME_PATTERN.test("SALESFORCE_CLIENT_ID")).toBe(true);
    expect(SECRET_NAME_PATTERN.test("salesforce_client_id")).toBe(false);
    expect(SECRET_NAME_PATTERN.test("2FA")).toBe(false);
  });
});
