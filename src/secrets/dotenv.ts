// Reads pasted `.env` text into secrets to import, with the problems found per line. Names and
// values pass the same checks as the Add secret form. A problem never quotes a value.

import { checkSecretName } from "./names.ts";
import { checkSecretValue } from "./value-checks.ts";

export const DOTENV_MAX_ENTRIES = 500;
export const DOTENV_MAX_BYTES = 1024 * 1024;

// A paste of 1 MiB of noise would otherwise list thousands of problems that nobody reads.
const MAX_PROBLEMS = 100;

export interface DotenvEntry {
  /** The line the entry starts on, from 1. */
  line: number;
  name: string;
  value: string;
  /** Worth a look before importing: the value's warnings, and a name that was upper-cased. */
  warnings: string[];
}

export interface DotenvProblem {
  line: number;
  message: string;
}

export interface DotenvParse {
  /** In line order; a name given twice appears once, from its last line. */
  entries: DotenvEntry[];
  /** In line order. */
  problems: DotenvProblem[];
}

/** Parse `.env` text; lines that cannot be imported become problems, the rest entries. */
export function parseDotenv(text: string): DotenvParse {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > DOTENV_MAX_BYTES) {
    const mib = (Math.ceil((bytes / DOTENV_MAX_BYTES) * 10) / 10).toFixed(1);
    const message = `The text is ${mib} MiB; an import takes at most 1 MiB. Paste it in parts.`;
    return { entries: [], problems: [{ line: 1, message }] };
  }

  const cursor: Cursor = {
    text: text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n"),
    pos: 0,
    line: 1,
  };
  const byName = new Map<string, DotenvEntry>();
  const problems: DotenvProblem[] = [];
  while (cursor.pos < cursor.text.length) {
    const line = cursor.line;
    if (problems.length >= MAX_PROBLEMS) {
      const message = "There are too many problems; this line and the ones after it were not read.";
      problems.push({ line, message });
      break;
    }

    const statement = readStatement(cursor);
    if (statement.kind === "blank") continue;
    if (statement.kind === "problem") {
      problems.push({ line, message: statement.message });
      continue;
    }

    const nameCheck = checkSecretName(statement.key);
    if (!nameCheck.ok) {
      const hint = nameCheck.suggestion ? ` Did you mean ${nameCheck.suggestion}?` : "";
      problems.push({ line, message: nameCheck.message + hint });
      continue;
    }

    const { name } = nameCheck;
    const valueCheck = checkSecretValue(statement.value);
    if (!valueCheck.ok) {
      problems.push({ line, message: valueCheck.message });
      continue;
    }

    const earlier = byName.get(name);
    if (!earlier && byName.size >= DOTENV_MAX_ENTRIES) {
      const message =
        `An import takes at most ${DOTENV_MAX_ENTRIES} secrets; ` +
        `this line and the ones after it were not read.`;
      problems.push({ line, message });
      break;
    }
    if (earlier) {
      problems.push({
        line: earlier.line,
        message: `${name} is set again on line ${line}; line ${line} is used.`,
      });
      byName.delete(name);
    }

    const warnings = [...valueCheck.warnings];
    if (name !== statement.key.trim()) {
      warnings.unshift(`The name is imported in upper case as ${name}.`);
    }
    byName.set(name, { line, name, value: statement.value, warnings });
  }

  problems.sort((a, b) => a.line - b.line);
  return { entries: [...byName.values()], problems };
}

interface Cursor {
  /** The whole text, with line endings made "\n". */
  text: string;
  /** Where the next statement starts: always the start of a line. */
  pos: number;
  line: number;
}

type Statement =
  | { kind: "blank" }
  | { kind: "problem"; message: string }
  | { kind: "assignment"; key: string; value: string };

/** Read one statement from the cursor's line (and more, for a quoted value) and move past it. */
function readStatement(cursor: Cursor): Statement {
  const lineEnd = endOfLine(cursor.text, cursor.pos);
  const lineText = cursor.text.slice(cursor.pos, lineEnd);
  const startLine = cursor.line;
  const toNextLine = () => {
    cursor.pos = lineEnd + 1;
    cursor.line = startLine + 1;
  };

  let rest = lineText.replace(/^[ \t]+/, "");
  if (rest === "" || rest.startsWith("#")) {
    toNextLine();
    return { kind: "blank" };
  }

  rest = rest.replace(/^export[ \t]+/, "");
  const equals = rest.indexOf("=");
  if (equals < 0) {
    toNextLine();
    return { kind: "problem", message: "This line has no “=”. Write each secret as NAME=value." };
  }

  const key = rest.slice(0, equals);
  const afterEquals = rest.slice(equals + 1);
  const valueText = afterEquals.replace(/^[ \t]+/, "");
  const quote = valueText[0];
  if (quote === '"' || quote === "'") {
    const opening = lineEnd - valueText.length;
    const quoted = readQuoted(cursor.text, opening);
    if (!quoted) {
      toNextLine();
      return { kind: "problem", message: `The value opens with “${quote}” but is never closed.` };
    }

    cursor.pos = quoted.lineEnd + 1;
    cursor.line = startLine + quoted.lineBreaks + 1;
    if (!/^[ \t]*(#.*)?$/.test(quoted.tail)) {
      const where = quoted.lineBreaks === 0 ? "" : ` on line ${cursor.line - 1}`;
      const message = `Only a comment may follow the closing quote${where}; start it with “#”.`;
      return { kind: "problem", message };
    }
    return { kind: "assignment", key, value: quoted.value };
  }

  toNextLine();
  const comment = /[ \t]#/.exec(afterEquals);
  const value = (comment ? afterEquals.slice(0, comment.index) : afterEquals).replace(
    /^[ \t]+|[ \t]+$/g,
    "",
  );
  if (value.startsWith("-----BEGIN ") && !value.includes("-----END")) {
    return { kind: "problem", message: skipUnquotedKey(cursor) };
  }
  return { kind: "assignment", key, value };
}

// A PEM key pasted without quotes spreads over lines of base64 that are not statements; read as
// such, a line ending in "=" would become a secret named after part of the key.
function skipUnquotedKey(cursor: Cursor): string {
  const advice = "A key that spans lines must be in double quotes.";
  const end = /^[ \t]*-----END[^\n]*$/m.exec(cursor.text.slice(cursor.pos));
  if (!end) return advice;

  const skipped = cursor.text.slice(cursor.pos, cursor.pos + end.index + end[0].length);
  const lastLine = cursor.line + (skipped.match(/\n/g)?.length ?? 0);
  const message = `${advice} Lines ${cursor.line - 1} to ${lastLine} were not imported.`;
  cursor.pos = endOfLine(cursor.text, cursor.pos + end.index) + 1;
  cursor.line = lastLine + 1;
  return message;
}

const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

interface Quoted {
  value: string;
  /** What follows the closing quote on its line. */
  tail: string;
  /** Where the line holding the closing quote ends. */
  lineEnd: number;
  lineBreaks: number;
}

/** Read a quoted value from its opening quote, across lines; undefined if it never closes. */
function readQuoted(text: string, opening: number): Quoted | undefined {
  const quote = text[opening];
  let value = "";
  let lineBreaks = 0;
  let at = opening + 1;
  while (at < text.length && text[at] !== quote) {
    const character = text[at]!;
    const next = text[at + 1];
    if (quote === '"' && character === "\\" && next !== undefined) {
      // An unknown escape stays as written, backslash included, as a shell would keep it.
      value += ESCAPES[next] ?? character + next;
      if (next === "\n") lineBreaks += 1;
      at += 2;
      continue;
    }
    if (character === "\n") lineBreaks += 1;
    value += character;
    at += 1;
  }
  if (at >= text.length) return undefined;

  const lineEnd = endOfLine(text, at + 1);
  return { value, tail: text.slice(at + 1, lineEnd), lineEnd, lineBreaks };
}

function endOfLine(text: string, from: number): number {
  const end = text.indexOf("\n", from);
  return end < 0 ? text.length : end;
}
