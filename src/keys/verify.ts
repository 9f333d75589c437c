// Checks, before the console reads or writes anything, that its keyring can open what the
// database holds: every key id that wraps a stored data key must be present, and every key
// the database has seen must match its recorded check value.

import { timingSafeEqual } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Database } from "../core/db/client.ts";
import { StartupError } from "../core/errors.ts";
import { type Keyring, keyCheckValue } from "../crypto/keyring.ts";
import { secretVersions } from "../secrets/tables.ts";
import { masterKeys } from "./tables.ts";

export async function verifyKeyring(database: Database, keyring: Keyring): Promise<void> {
  const { db } = database;
  const recorded = await db.select().from(masterKeys);
  const used = await db.selectDistinct({ keyId: secretVersions.keyId }).from(secretVersions);

  const missing = used.map((row) => row.keyId).filter((id) => !keyring.has(id));
  if (missing.length > 0) {
    throw new StartupError(
      `Master key ${missing.join(", ")} wraps stored values but is not in ` +
        "the keyring; add it back to SECRETS_MASTER_KEYS (or the key file) and start again.",
    );
  }

  for (const row of recorded) {
    if (!keyring.has(row.keyId)) continue;
    const expected = Buffer.from(row.checkValue);
    const actual = Buffer.from(keyCheckValue(keyring.get(row.keyId).key));
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      throw new StartupError(
        `Master key ${row.keyId} is not the key this database was ` +
          "encrypted with (its check value differs); restore the right key for that id.",
      );
    }
  }

  // Only after every check passed: record the active key, so a later start can check it.
  await recordKey(database, keyring, keyring.active.id);
}

export async function recordKey(database: Database, keyring: Keyring, keyId: string) {
  await database.db
    .insert(masterKeys)
    .values({ keyId, checkValue: keyCheckValue(keyring.get(keyId).key) })
    .onConflictDoNothing();
}

/** Forgets keys that no longer wrap anything, so the record lists only keys still needed. */
export async function forgetUnusedKeys(database: Database, keepKeyId: string): Promise<string[]> {
  const removed = await database.db
    .delete(masterKeys)
    .where(
      sql`${masterKeys.keyId} <> ${keepKeyId} and not exists (select 1 from ${secretVersions}
        where ${secretVersions.keyId} = ${masterKeys.keyId})`,
    )
    .returning({ keyId: masterKeys.keyId });
  return removed.map((row) => row.keyId);
}

export async function isKeyRecorded(database: Database, keyId: string): Promise<boolean> {
  const rows = await database.db.select().from(masterKeys).where(eq(masterKeys.keyId, keyId));
  return rows.length > 0;
}
