// Sessions kept in the database, so any number of console processes serve one user. The cookie
// holds a random id; the row is found by the id's hash. A session ends when idle too long, at
// its absolute expiry, at sign-out, or when its user's password changes.

import { and, eq, gt, lt, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../core/db/client.ts";
import { sessions, users } from "./tables.ts";
import { hashToken, randomToken } from "./tokens.ts";

/** A session unused for this long is over. */
export const SESSION_IDLE_SECONDS = 2 * 60 * 60;

/** A session is over this long after sign-in however busy it is. */
export const SESSION_ABSOLUTE_SECONDS = 24 * 60 * 60;

/** last_seen_at is written at most this often, so reading a page is not always a write. */
const TOUCH_EVERY_SECONDS = 60;

export type FlashKind = "success" | "warning" | "error";
export interface Flash {
  kind: FlashKind;
  text: string;
}

export interface SignedInUser {
  id: string;
  name: string;
  email: string;
}

export interface ActiveSession {
  idHash: string;
  csrfToken: string;
  flash: Flash | null;
  user: SignedInUser;
}

/** Starts a session; the returned id goes into the cookie and is never stored as such. */
export async function createSession(
  db: DbOrTx,
  userId: string,
  flash: Flash | null = null,
): Promise<{ id: string; csrfToken: string }> {
  const id = randomToken();
  const csrfToken = randomToken();

  await db.insert(sessions).values({
    idHash: hashToken(id),
    userId,
    csrfToken,
    flash,
    expiresAt: sql`now() + make_interval(secs => ${SESSION_ABSOLUTE_SECONDS})`,
  });
  return { id, csrfToken };
}

/** The live session with this cookie id, refreshing its idle clock; null when over. */
export async function findSession(db: DbOrTx, id: string): Promise<ActiveSession | null> {
  const idHash = hashToken(id);
  const [row] = await db
    .select({
      idHash: sessions.idHash,
      csrfToken: sessions.csrfToken,
      flash: sessions.flash,
      stale: sql<boolean>`${sessions.lastSeenAt} < ${secondsAgo(TOUCH_EVERY_SECONDS)}`,
      user: { id: users.id, name: users.name, email: users.email },
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.idHash, idHash),
        gt(sessions.expiresAt, sql`now()`),
        gt(sessions.lastSeenAt, secondsAgo(SESSION_IDLE_SECONDS)),
      ),
    );
  if (!row) return null;

  if (row.stale) {
    await db.update(sessions).set({ lastSeenAt: sql`now()` }).where(eq(sessions.idHash, idHash));
  }
  return { idHash: row.idHash, csrfToken: row.csrfToken, flash: row.flash, user: row.user };
}

export async function setSessionFlash(db: DbOrTx, idHash: string, flash: Flash): Promise<void> {
  await db.update(sessions).set({ flash }).where(eq(sessions.idHash, idHash));
}

export async function clearSessionFlash(db: DbOrTx, idHash: string): Promise<void> {
  await db.update(sessions).set({ flash: null }).where(eq(sessions.idHash, idHash));
}

export async function deleteSession(db: DbOrTx, idHash: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.idHash, idHash));
}

export async function deleteSessionsOfUser(db: DbOrTx, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}

/** Removes sessions that can no longer be used; run now and then, never needed for safety. */
export async function purgeEndedSessions(db: DbOrTx): Promise<void> {
  await db
    .delete(sessions)
    .where(
      or(
        lt(sessions.expiresAt, sql`now()`),
        lt(sessions.lastSeenAt, secondsAgo(SESSION_IDLE_SECONDS)),
      ),
    );
}

function secondsAgo(seconds: number) {
  return sql`now() - make_interval(secs => ${seconds})`;
}
