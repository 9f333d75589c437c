// Rules for a secret's value: what is refused outright, and what is saved but earns a warning
// because it is usually a copy-and-paste accident. No message or warning repeats the value.

/** 48 KiB of UTF-8, the largest value a secret may hold. */
export const SECRET_VALUE_MAX_BYTES = 48 * 1024;

export type SecretValueProblem = "empty" | "too-large" | "lone-surrogate" | "nul-character";

export type SecretValueCheck =
  | { ok: true; warnings: string[] }
  | { ok: false; problem: SecretValueProblem; message: string };

// Characters a reader cannot see, or that a terminal or editor renders as nothing, each with the
// words an owner will recognise. Ranges with one shared name are handled in invisibleName.
const INVISIBLE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00a0, "a non-breaking space"],
  [0x00ad, "a soft hyphen"],
  [0x034f, "a combining grapheme joiner"],
  [0x061c, "an Arabic letter mark"],
  [0x180e, "a Mongolian vowel separator"],
  [0x200b, "a zero-width space"],
  [0x200c, "a zero-width non-joiner"],
  [0x200d, "a zero-width joiner"],
  [0x200e, "a left-to-right mark"],
  [0x200f, "a right-to-left mark"],
  [0x2028, "a line separator"],
  [0x2029, "a paragraph separator"],
  [0x202a, "a left-to-right embedding"],
  [0x202b, "a right-to-left embedding"],
  [0x202c, "a pop directional formatting"],
  [0x202d, "a left-to-right override"],
  [0x202e, "a right-to-left override"],
  [0x202f, "a narrow non-breaking space"],
  [0x205f, "a medium mathematical space"],
  [0x2060, "a word joiner"],
  [0x2066, "a left-to-right isolate"],
  [0x2067, "a right-to-left isolate"],
  [0x2068, "a first strong isolate"],
  [0x2069, "a pop directional isolate"],
  [0x3000, "an ideographic space"],
  [0xfeff, "a byte order mark"],
]);

/** U+XXXX, the way character tables and editors name a code point. */
export function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * The name of an invisible or control character ("a zero-width space"), or undefined for a
 * character one can see. Tab and line feed and carriage return are not counted: values such as
 * PEM keys hold them on purpose. NUL is named here but refused by checkSecretValue.
 */
export function invisibleName(codePoint: number): string | undefined {
  const named = INVISIBLE_NAMES.get(codePoint);
  if (named) return named;

  if (codePoint === 0x09 || codePoint === 0x0a || codePoint === 0x0d) return undefined;
  if (codePoint === 0x00) return "a NUL character";
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f)) return "a control character";
  if (codePoint >= 0x2000 && codePoint <= 0x200a) return "a typographic space";
  if (codePoint >= 0x2061 && codePoint <= 0x2064) return "an invisible operator";
  if (codePoint >= 0xe0000 && codePoint <= 0xe007f) return "an invisible tag character";
  return undefined;
}

/** Decide whether a value may be saved, and what the owner should look at before saving. */
export function checkSecretValue(value: string): SecretValueCheck {
  if (value.length === 0) {
    return {
      ok: false,
      problem: "empty",
      message: "The value is empty. Enter the secret's value.",
    };
  }

  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > SECRET_VALUE_MAX_BYTES) {
    return { ok: false, problem: "too-large", message: tooLargeMessage(bytes) };
  }

  const scan = scanCharacters(value);
  if (scan.refusal) return { ok: false, ...scan.refusal };

  const warnings: string[] = [];
  if (value.trim() === "") {
    warnings.push("The value is only whitespace. Check that this is what the secret should be.");
  } else {
    const leading = describeWhitespaceRun(/^[ \t\r\n]+/.exec(value)?.[0]);
    const trailing = describeWhitespaceRun(/[ \t\r\n]+$/.exec(value)?.[0]);
    if (leading) {
      warnings.push(`The value starts with ${leading}. Remove it unless the secret needs it.`);
    }
    if (trailing) {
      warnings.push(`The value ends with ${trailing}. Remove it unless the secret needs it.`);
    }
  }
  warnings.push(...scan.invisibleWarnings);
  return { ok: true, warnings };
}

function tooLargeMessage(bytes: number): string {
  // Rounded up, so a value one byte over the limit never reads as exactly 48.0 KiB.
  const kib = (Math.ceil((bytes / 1024) * 10) / 10).toFixed(1);
  const limit = SECRET_VALUE_MAX_BYTES.toLocaleString("en-US");
  return (
    `A value may be at most 48 KiB (${limit} bytes) of UTF-8; ` +
    `this one is ${kib} KiB (${bytes.toLocaleString("en-US")} bytes).`
  );
}

// Past this many kinds of invisible character, one summary line says how many more there are:
// a value full of control characters is binary, and a wall of warnings would hide that.
const MAX_INVISIBLE_KINDS = 5;
const MAX_POSITIONS = 3;

interface CharacterScan {
  refusal?: { problem: SecretValueProblem; message: string };
  invisibleWarnings: string[];
}

function scanCharacters(value: string): CharacterScan {
  // Positions count characters as a reader does (code points), starting at 1.
  const found = new Map<number, number[]>();
  let position = 0;
  for (const character of value) {
    position += 1;
    const codePoint = character.codePointAt(0)!;
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) {
      const message =
        `The value contains a broken character (an unpaired UTF-16 surrogate) at character ` +
        `${position}. Copy the value again from its source.`;
      return { refusal: { problem: "lone-surrogate", message }, invisibleWarnings: [] };
    }
    if (codePoint === 0) {
      const message =
        `The value contains a NUL character (U+0000) at character ${position}; ` +
        `a secret cannot hold it.`;
      return { refusal: { problem: "nul-character", message }, invisibleWarnings: [] };
    }
    if (invisibleName(codePoint) !== undefined) {
      const positions = found.get(codePoint);
      if (positions) positions.push(position);
      else found.set(codePoint, [position]);
    }
  }

  const invisibleWarnings: string[] = [];
  for (const [codePoint, positions] of found) {
    if (invisibleWarnings.length === MAX_INVISIBLE_KINDS) {
      const more = found.size - MAX_INVISIBLE_KINDS;
      invisibleWarnings.push(
        `The value contains ${more} more kind${more === 1 ? "" : "s"} of invisible or ` +
          `control character.`,
      );
      break;
    }
    const name = `${invisibleName(codePoint)} (${codePointLabel(codePoint)})`;
    invisibleWarnings.push(`The value contains ${name} at ${positionList(positions)}.`);
  }
  return { invisibleWarnings };
}

function positionList(positions: number[]): string {
  if (positions.length === 1) return `character ${positions[0]}`;

  const shown = positions.slice(0, MAX_POSITIONS).map(String);
  const rest = positions.length - shown.length;
  if (rest > 0) {
    return `characters ${shown.join(", ")} and ${rest} more place${rest === 1 ? "" : "s"}`;
  }
  return `characters ${joinList(shown)}`;
}

/** "a space", "2 spaces and a line break": the kinds in a run, in the order they appear. */
function describeWhitespaceRun(run: string | undefined): string | undefined {
  if (!run) return undefined;

  const counts = new Map<string, number>();
  for (const kind of run.replace(/\r\n/g, "\n").replace(/\r/g, "\n")) {
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const words: Record<string, [string, string]> = {
    " ": ["a space", "spaces"],
    "\t": ["a tab", "tabs"],
    "\n": ["a line break", "line breaks"],
  };
  const parts = [...counts].map(([kind, count]) => {
    const [one, many] = words[kind]!;
    return count === 1 ? one : `${count} ${many}`;
  });
  return joinList(parts);
}

/** "a, b and c" (or "a, b or c"): a list in a sentence. */
export function joinList(parts: string[], conjunction: "and" | "or" = "and"): string {
  if (parts.length <= 1) return parts.join("");
  return `${parts.slice(0, -1).join(", ")} ${conjunction} ${parts.at(-1)}`;
}
