// Random tokens for sessions, CSRF, setup links and invitations. The database keeps only a
// token's SHA-256 hash, so a copy of it cannot be replayed; comparisons take constant time.

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** 32 random bytes, URL-safe: fits a cookie, a hidden field and a query string unescaped. */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Compares two strings without revealing through timing where they first differ. */
export function tokensMatch(given: unknown, expected: string): boolean {
  if (typeof given !== "string" || given.length === 0) return false;

  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}
