// People who sign in: what a valid name, email and password look like, and the queries on users.

import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../core/db/client.ts";
import { users } from "./tables.ts";

export const PASSWORD_MIN_LENGTH = 12;

/** argon2id accepts any length; a cap keeps a megabyte "password" from costing more. */
export const PASSWORD_MAX_LENGTH = 1024;

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface UserRow {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
}

/** Emails compare without case or surrounding spaces: one person, one account. */
export function normalizeEmail(input: unknown): string {
  return typeof input === "string" ? input.trim().toLowerCase() : "";
}

export function emailProblem(email: string): string | null {
  if (email === "") return "Enter an email address.";
  if (email.length > 254 || !EMAIL_PATTERN.test(email)) {
    return "Enter an email address such as name@example.com.";
  }
  return null;
}

export function nameProblem(name: string): string | null {
  if (name === "") return "Enter a name.";
  if (name.length > 100) return "Use at most 100 characters.";
  return null;
}

export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) {
    return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  }
  return null;
}

export async function findUserByEmail(db: DbOrTx, email: string): Promise<UserRow | null> {
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      passwordHash: users.passwordHash,
    })
    .from(users)
    .where(eq(users.email, email));
  return row ?? null;
}

export async function findUserById(db: DbOrTx, id: string): Promise<UserRow | null> {
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      passwordHash: users.passwordHash,
    })
    .from(users)
    .where(eq(users.id, id));
  return row ?? null;
}

export async function insertUser(
  db: DbOrTx,
  user: { email: string; name: string; passwordHash: string },
): Promise<UserRow> {
  const [row] = await db.insert(users).values(user).returning({
    id: users.id,
    email: users.email,
    name: users.name,
    passwordHash: users.passwordHash,
  });
  return row!;
}

export async function setPasswordHash(
  db: DbOrTx,
  userId: string,
  passwordHash: string,
  changed: boolean,
): Promise<void> {
  await db
    .update(users)
    .set(changed ? { passwordHash, passwordChangedAt: sql`now()` } : { passwordHash })
    .where(eq(users.id, userId));
}

export async function anyUserExists(db: DbOrTx): Promise<boolean> {
  const [row] = await db.select({ id: users.id }).from(users).limit(1);
  return row !== undefined;
}

/** How the audit log names a person: still readable after the account is gone. */
export function actorOf(user: { id: string; name: string; email: string }) {
  return { id: user.id, name: `${user.name} <${user.email}>` };
}
