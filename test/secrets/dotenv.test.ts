import { describe, expect, it } from "vitest";
import { DOTENV_MAX_BYTES, DOTENV_MAX_ENTRIES, parseDotenv } from "../../src/secrets/dotenv.ts";

function lines(...text: string[]): string {
  return text.join("\n");
}

function valuesOf(text: string): Record<string, string> {
  return Object.fromEntries(parseDotenv(text).entries.map((entry) => [entry.name, entry.value]));
}

describe("parseDotenv lines", () => {
  it("reads KEY=value lines with their line numbers", () => {
    expect(
      parseDotenv(lines("SALESFORCE_CLIENT_ID=3MVG9abc", "SALESFORCE_CLIENT_SECRET=E5F6")),
    ).toEqual({
      entries: [
        { line: 1, name: "SALESFORCE_CLIENT_ID", value: "3MVG9abc", warnings: [] },
        { line: 2, name: "SALESFORCE_CLIENT_SECRET", value: "E5F6", warnings: [] },
      ],
      problems: [],
    });
  });

  it("returns nothing for empty text", () => {
    expect(parseDotenv("")).toEqual({ entries: [], problems: [] });
  });

  it("skips blank lines and comments, indented ones too, and keeps counting lines", () => {
    const parsed = parseDotenv(lines("# Salesforce", "", "   ", "  # indented", "A=1"));
    expect(parsed.problems).toEqual([]);
    expect(parsed.entries).toEqual([{ line: 5, name: "A", value: "1", warnings: [] }]);
  });

  it("accepts an export prefix", () => {
    expect(valuesOf("export API_KEY=abc")).toEqual({ API_KEY: "abc" });
  });

  it("reads a secret named EXPORT as a name, not a prefix", () => {
    expect(valuesOf("EXPORT=yes")).toEqual({ EXPORT: "yes" });
  });

  it("tolerates spaces around the equals sign", () => {
    expect(valuesOf("  API_KEY   =   abc  ")).toEqual({ API_KEY: "abc" });
  });

  it("keeps equals signs that belong to the value", () => {
    expect(valuesOf("TOKEN=YWJj==")).toEqual({ TOKEN: "YWJj==" });
  });

  it("cuts an unquoted value at an inline comment", () => {
    expect(valuesOf("A=abc # the key\nB=def\t# tabbed")).toEqual({ A: "abc", B: "def" });
  });

  it("keeps a hash that has no space before it", () => {
    expect(valuesOf("A=abc#def\nB=#start")).toEqual({ A: "abc#def", B: "#start" });
  });

  it("reads Windows line endings without carriage returns in values", () => {
    const parsed = parseDotenv("A=1\r\nB=2\r\n\r\nC=3\r\n");
    expect(parsed.entries).toEqual([
      { line: 1, name: "A", value: "1", warnings: [] },
      { line: 2, name: "B", value: "2", warnings: [] },
      { line: 4, name: "C", value: "3", warnings: [] },
    ]);
  });

  it("ignores a byte order mark at the start of the text", () => {
    expect(valuesOf("\ufeffA=1")).toEqual({ A: "1" });
  });

  it("offers a lower-case name in upper case and says so", () => {
    expect(parseDotenv("salesforce_client_id=abc").entries).toEqual([
      {
        line: 1,
        name: "SALESFORCE_CLIENT_ID",
        value: "abc",
        warnings: ["The name is imported in upper case as SALESFORCE_CLIENT_ID."],
      },
    ]);
  });
});

describe("parseDotenv quoted values", () => {
  it("reads a single-quoted value literally", () => {
    expect(valuesOf("A='x\\ny # not a comment'")).toEqual({ A: "x\\ny # not a comment" });
  });

  it("reads the escapes of a double-quoted value", () => {
    expect(valuesOf('A="a\\nb\\rc\\td\\"e\\\\f"')).toEqual({ A: 'a\nb\rc\td"e\\f' });
  });

  it("keeps an unknown escape as written", () => {
    expect(valuesOf('A="cost\\$5"')).toEqual({ A: "cost\\$5" });
  });

  it("keeps a hash inside double quotes and allows a comment after them", () => {
    expect(valuesOf('A="a # b" # comment')).toEqual({ A: "a # b" });
  });

  it("reads a double-quoted value across lines and numbers the next lines right", () => {
    const parsed = parseDotenv(
      lines(
        "A=1",
        'KEY="-----BEGIN PRIVATE KEY-----',
        "MIIEvQ==",
        '-----END PRIVATE KEY-----"',
        "B=2",
      ),
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.entries).toEqual([
      { line: 1, name: "A", value: "1", warnings: [] },
      {
        line: 2,
        name: "KEY",
        value: "-----BEGIN PRIVATE KEY-----\nMIIEvQ==\n-----END PRIVATE KEY-----",
        warnings: [],
      },
      { line: 5, name: "B", value: "2", warnings: [] },
    ]);
  });

  it("reads a single-quoted value across lines", () => {
    expect(valuesOf("A='one\ntwo'\nB=3")).toEqual({ A: "one\ntwo", B: "3" });
  });

  it("turns Windows line endings inside a quoted value into line feeds", () => {
    expect(valuesOf('A="one\r\ntwo"\r\n')).toEqual({ A: "one\ntwo" });
  });

  it("keeps whitespace inside quotes and attaches the value's warnings", () => {
    expect(parseDotenv('SECRET="abc\\n"').entries).toEqual([
      {
        line: 1,
        name: "SECRET",
        value: "abc\n",
        warnings: ["The value ends with a line break. Remove it unless the secret needs it."],
      },
    ]);
  });

  it("reports an unterminated quote on its line and reads the lines after it", () => {
    const parsed = parseDotenv(lines("A=1", 'B="never closed', "C=3"));
    expect(parsed.problems).toEqual([
      { line: 2, message: 'The value opens with “"” but is never closed.' },
    ]);
    expect(parsed.entries.map((entry) => entry.name)).toEqual(["A", "C"]);
  });

  it("does not take an escaped double quote as the closing one", () => {
    expect(parseDotenv('A="abc\\"').problems).toEqual([
      { line: 1, message: 'The value opens with “"” but is never closed.' },
    ]);
  });

  it("reports text after the closing quote", () => {
    const parsed = parseDotenv("A='abc' def\nB=2");
    expect(parsed.problems).toEqual([
      { line: 1, message: "Only a comment may follow the closing quote; start it with “#”." },
    ]);
    expect(valuesOf("A='abc' def\nB=2")).toEqual({ B: "2" });
  });

  it("names the line of a closing quote followed by text when the value spans lines", () => {
    expect(parseDotenv('A="one\ntwo" three\nB=1').problems).toEqual([
      {
        line: 1,
        message: "Only a comment may follow the closing quote on line 2; start it with “#”.",
      },
    ]);
  });
});

describe("parseDotenv problems", () => {
  it("reports a line without an equals sign", () => {
    expect(parseDotenv(lines("A=1", "just some text", "B=2"))).toMatchObject({
      problems: [{ line: 2, message: "This line has no “=”. Write each secret as NAME=value." }],
      entries: [{ name: "A" }, { name: "B" }],
    });
  });

  it("reports an export of a name without a value", () => {
    expect(parseDotenv("export API_KEY").problems).toHaveLength(1);
  });

  it("turns an invalid name into a problem with a suggestion, not an entry", () => {
    expect(parseDotenv(lines("A=1", "client-secret=abc"))).toEqual({
      entries: [{ line: 1, name: "A", value: "1", warnings: [] }],
      problems: [
        {
          line: 2,
          message:
            "A secret name may not contain “-” (position 7). Use letters A to Z, digits and " +
            "underscores. Did you mean CLIENT_SECRET?",
        },
      ],
    });
  });

  it("reports a line with no name before the equals sign", () => {
    expect(parseDotenv("=abc").problems).toEqual([{ line: 1, message: "Enter a secret name." }]);
  });

  it("reports an empty value", () => {
    expect(parseDotenv('A=\nB=""\nC= # comment').problems).toEqual([
      { line: 1, message: "The value is empty. Enter the secret's value." },
      { line: 2, message: "The value is empty. Enter the secret's value." },
      { line: 3, message: "The value is empty. Enter the secret's value." },
    ]);
  });

  it("reports a value over 48 KiB", () => {
    const parsed = parseDotenv(`BIG=${"x".repeat(49_153)}`);
    expect(parsed.entries).toEqual([]);
    expect(parsed.problems[0]!.message).toContain("at most 48 KiB");
  });

  it("uses the later line of a name given twice and reports the earlier one", () => {
    const parsed = parseDotenv(lines("FOO=old", "A=1", "", "", "", "", "", "", "FOO=new"));
    expect(parsed.entries).toEqual([
      { line: 2, name: "A", value: "1", warnings: [] },
      { line: 9, name: "FOO", value: "new", warnings: [] },
    ]);
    expect(parsed.problems).toEqual([
      { line: 1, message: "FOO is set again on line 9; line 9 is used." },
    ]);
  });

  it("treats a lower-case and an upper-case spelling as the same name", () => {
    const parsed = parseDotenv("foo=1\nFOO=2");
    expect(parsed.entries).toMatchObject([{ line: 2, name: "FOO", value: "2" }]);
    expect(parsed.problems).toEqual([
      { line: 1, message: "FOO is set again on line 2; line 2 is used." },
    ]);
  });

  it("reports each earlier line of a name given three times", () => {
    const parsed = parseDotenv("A=1\nA=2\nA=3");
    expect(parsed.entries).toMatchObject([{ line: 3, value: "3" }]);
    expect(parsed.problems).toEqual([
      { line: 1, message: "A is set again on line 2; line 2 is used." },
      { line: 2, message: "A is set again on line 3; line 3 is used." },
    ]);
  });

  it("keeps the earlier line when the later one of the same name is refused", () => {
    const parsed = parseDotenv("A=1\nA=");
    expect(parsed.entries).toMatchObject([{ line: 1, value: "1" }]);
    expect(parsed.problems).toMatchObject([{ line: 2 }]);
  });

  it("lists problems in line order", () => {
    const parsed = parseDotenv("A=1\nbad line\nA=2");
    expect(parsed.problems.map((problem) => problem.line)).toEqual([1, 2]);
  });

  it("refuses a PEM key without quotes and skips its lines", () => {
    const parsed = parseDotenv(
      lines(
        "KEY=-----BEGIN PRIVATE KEY-----",
        "MIIEvQIBADANBgkq",
        "abcdefgh==",
        "-----END PRIVATE KEY-----",
        "B=2",
      ),
    );
    expect(parsed.entries).toEqual([{ line: 5, name: "B", value: "2", warnings: [] }]);
    expect(parsed.problems).toEqual([
      {
        line: 1,
        message: "A key that spans lines must be in double quotes. Lines 1 to 4 were not imported.",
      },
    ]);
  });

  it("refuses the first line of a PEM key that never ends, and reads on", () => {
    const parsed = parseDotenv("KEY=-----BEGIN PRIVATE KEY-----\nB=2");
    expect(parsed.problems).toEqual([
      { line: 1, message: "A key that spans lines must be in double quotes." },
    ]);
    expect(valuesOf("KEY=-----BEGIN PRIVATE KEY-----\nB=2")).toEqual({ B: "2" });
  });
});

describe("parseDotenv limits", () => {
  function manyEntries(count: number): string {
    return Array.from({ length: count }, (_, index) => `SECRET_${index}=v${index}`).join("\n");
  }

  it("accepts 500 entries", () => {
    const parsed = parseDotenv(manyEntries(DOTENV_MAX_ENTRIES));
    expect(parsed.entries).toHaveLength(500);
    expect(parsed.problems).toEqual([]);
  });

  it("stops at the 501st entry with a problem on its line", () => {
    const parsed = parseDotenv(`${manyEntries(DOTENV_MAX_ENTRIES + 5)}\nbad line`);
    expect(parsed.entries).toHaveLength(500);
    expect(parsed.problems).toEqual([
      {
        line: 501,
        message:
          "An import takes at most 500 secrets; this line and the ones after it were not read.",
      },
    ]);
  });

  it("does not count a name given again toward the limit", () => {
    const parsed = parseDotenv(`${manyEntries(DOTENV_MAX_ENTRIES)}\nSECRET_0=again`);
    expect(parsed.entries).toHaveLength(500);
    expect(parsed.entries.at(-1)).toMatchObject({ line: 501, name: "SECRET_0" });
    expect(parsed.problems).toEqual([
      { line: 1, message: "SECRET_0 is set again on line 501; line 501 is used." },
    ]);
  });

  it("accepts text of exactly 1 MiB", () => {
    const text = `A=${"x".repeat(1000)}\n`.padEnd(DOTENV_MAX_BYTES, "#");
    expect(parseDotenv(text).problems).toEqual([]);
  });

  it("refuses text over 1 MiB as a whole", () => {
    const text = `A=1\n${"#".repeat(DOTENV_MAX_BYTES)}`;
    expect(parseDotenv(text)).toEqual({
      entries: [],
      problems: [
        {
          line: 1,
          message: "The text is 1.1 MiB; an import takes at most 1 MiB. Paste it in parts.",
        },
      ],
    });
  });

  it("stops after 100 problems", () => {
    const parsed = parseDotenv(Array.from({ length: 300 }, () => "no equals").join("\n"));
    expect(parsed.problems).toHaveLength(101);
    expect(parsed.problems.at(-1)).toEqual({
      line: 101,
      message: "There are too many problems; this line and the ones after it were not read.",
    });
  });
});

describe("parseDotenv never quotes a value in a problem", () => {
  const canary = "qZ8xK2vW9pL4";

  it("keeps values out of every problem", () => {
    const text = lines(
      `A="${canary}`,
      `B='${canary}' ${canary}`,
      `C=${canary}\u0000`,
      `D=${canary.repeat(5000)}`,
      `${canary} without equals`,
      `E=-----BEGIN ${canary}`,
      `F=${canary}`,
      `F=${canary}2`,
    );
    const { problems } = parseDotenv(text);
    expect(problems.length).toBeGreaterThanOrEqual(7);
    const joined = problems.map((problem) => problem.message).join("\n");
    for (let start = 0; start + 4 <= canary.length; start += 1) {
      expect(joined).not.toContain(canary.slice(start, start + 4));
    }
  });
});
