// Keeps credentials out of anything meant to be stored or shown: a last pass over a result that
// replaces every spelling of a secret that text copied from an answer could hold.

export const REDACTED = "[redacted]";

// Shorter values would match ordinary words; real Consumer Secrets and tokens are far longer.
const MIN_REDACTED_LENGTH = 4;

/** The Consumer Key shortened for display: its first and last four characters at most. */
export function maskClientId(clientId: string): string {
  const id = clientId.trim();
  if (id.length < 16) return "…";
  return `${id.slice(0, 4)}…${id.slice(-4)}`;
}

/** A value as it may appear raw, URL-encoded, form-encoded, JSON-escaped or base64-encoded. */
export function spellings(value: string): string[] {
  if (value.length < MIN_REDACTED_LENGTH) return [];
  const variants = new Set([
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    JSON.stringify(value).slice(1, -1),
    Buffer.from(value).toString("base64"),
  ]);
  return [...variants].filter((variant) => variant.length >= MIN_REDACTED_LENGTH);
}

export interface Redaction {
  /** Values replaced by REDACTED in every spelling. */
  secrets: string[];
  /** Values replaced by a fixed text, e.g. the client id by its masked form. */
  masks?: { value: string; replacement: string }[];
}

/** Returns a copy of `value` in which every string has the given secrets replaced. */
export function redact<T>(value: T, redaction: Redaction): T {
  const pairs: [string, string][] = [];
  for (const secret of redaction.secrets) {
    for (const spelling of spellings(secret)) pairs.push([spelling, REDACTED]);
  }
  for (const { value: masked, replacement } of redaction.masks ?? []) {
    for (const spelling of spellings(masked)) pairs.push([spelling, replacement]);
  }
  // Longest first, so a value that contains another is replaced whole.
  pairs.sort((a, b) => b[0].length - a[0].length);
  return walk(value, pairs) as T;
}

function walk(value: unknown, pairs: [string, string][]): unknown {
  if (typeof value === "string") {
    return pairs.reduce(
      (text, [needle, replacement]) => text.replaceAll(needle, replacement),
      value,
    );
  }
  if (Array.isArray(value)) return value.map((item) => walk(item, pairs));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, pairs)]));
  }
  return value;
}
