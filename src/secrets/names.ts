// Rules for secret names: what an owner may type in Secret name, and for a near miss, what is
// wrong and which valid name was probably meant. Uniqueness per environment is the store's job.

import { codePointLabel, invisibleName, joinList } from "./value-checks.ts";

/** Upper-case letters, digits and underscores, not starting with a digit. */
export const SECRET_NAME_PATTERN = /^[A-Z_][A-Z0-9_]*$/;
export const SECRET_NAME_MAX_LENGTH = 128;

export type SecretNameProblem = "empty" | "invalid-character" | "starts-with-digit" | "too-long";

export type SecretNameCheck =
  | {
      ok: true;
      name: string;
      /** The name differs from what was typed: upper-cased or trimmed. Show it to the owner. */
      changed: boolean;
    }
  | {
      ok: false;
      /** The first problem found; `message` covers every problem. */
      problem: SecretNameProblem;
      message: string;
      /** A valid name worked out from the input, when dashes, spaces or dots were the trouble. */
      suggestion?: string;
    };

const ALLOWED_HINT = "Use letters A to Z, digits and underscores.";
const MAX_LISTED_CHARACTERS = 3;

/** Check a typed secret name; lower case and surrounding whitespace are repaired, not refused. */
export function checkSecretName(input: string): SecretNameCheck {
  const trimmed = input.trim();
  if (trimmed === "") {
    return { ok: false, problem: "empty", message: "Enter a secret name." };
  }

  // Only ASCII letters are upper-cased: toUpperCase would turn "ß" into "SS" and "ﬁ" into "FI",
  // a name the owner never typed.
  const name = trimmed.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
  const characters = [...name];
  const problems: { problem: SecretNameProblem; sentence: string }[] = [];

  const invalid = invalidCharacters(characters);
  if (invalid.length > 0) {
    problems.push({ problem: "invalid-character", sentence: invalidCharacterSentence(invalid) });
  }
  if (/^[0-9]/.test(name)) {
    problems.push({
      problem: "starts-with-digit",
      sentence:
        "A secret name may not start with a digit. Start it with a letter or an underscore.",
    });
  }
  if (characters.length > SECRET_NAME_MAX_LENGTH) {
    problems.push({
      problem: "too-long",
      sentence:
        `A secret name may be at most ${SECRET_NAME_MAX_LENGTH} characters long; ` +
        `this one has ${characters.length}.`,
    });
  }

  const first = problems[0];
  if (!first) return { ok: true, name, changed: name !== input };

  const message = problems.map((found) => found.sentence).join(" ");
  const suggestion = suggestName(name);
  return suggestion === undefined
    ? { ok: false, problem: first.problem, message }
    : { ok: false, problem: first.problem, message, suggestion };
}

interface InvalidCharacter {
  character: string;
  position: number;
}

/** Each distinct character outside the pattern, with where it first appears (from 1). */
function invalidCharacters(characters: string[]): InvalidCharacter[] {
  const seen = new Map<string, InvalidCharacter>();
  characters.forEach((character, index) => {
    if (!/[A-Z0-9_]/.test(character) && !seen.has(character)) {
      seen.set(character, { character, position: index + 1 });
    }
  });
  return [...seen.values()];
}

function invalidCharacterSentence(invalid: InvalidCharacter[]): string {
  const listed = invalid
    .slice(0, MAX_LISTED_CHARACTERS)
    .map(({ character, position }) => `${describeCharacter(character)} (position ${position})`);
  const rest = invalid.length - listed.length;
  const list =
    rest > 0
      ? `${listed.join(", ")} or ${rest} other character${rest === 1 ? "" : "s"}`
      : joinList(listed, "or");
  return `A secret name may not contain ${list}. ${ALLOWED_HINT}`;
}

function describeCharacter(character: string): string {
  if (character === " ") return "a space";
  if (character === "\t") return "a tab";
  if (character === "\n" || character === "\r") return "a line break";

  const codePoint = character.codePointAt(0)!;
  const invisible = invisibleName(codePoint);
  if (invisible) return `${invisible} (${codePointLabel(codePoint)})`;
  if (/\p{M}/u.test(character)) return `a combining mark (${codePointLabel(codePoint)})`;
  return `“${character}”`;
}

/** The valid name an owner most likely meant, or undefined when none can be worked out. */
function suggestName(name: string): string | undefined {
  const joined = name.replace(/[-.\s]+/g, "_");
  const candidate = /^[0-9]/.test(joined) ? `_${joined}` : joined;
  const fits = candidate.length <= SECRET_NAME_MAX_LENGTH && SECRET_NAME_PATTERN.test(candidate);
  return fits ? candidate : undefined;
}
