// Reading stored connection checks: one by id, the latest of an environment, and the rollback
// a failed check after a save can offer. Only checks of saved values describe an environment;
// a test of an unsaved value says nothing about what the application reads.

import { and, desc, eq, lt, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "../core/db/client.ts";
import { listSecrets } from "../secrets/queries.ts";
import { SALESFORCE_SECRET_NAMES, type StoredCheck, toStoredCheck } from "./checks.ts";
import { connectionChecks } from "./tables.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A check of the environment, or null for an unknown id or another environment's check. */
export async function findCheck(
  db: DbOrTx,
  environmentId: string,
  checkId: string,
): Promise<StoredCheck | null> {
  if (!UUID.test(checkId)) return null;
  const [row] = await db
    .select()
    .from(connectionChecks)
    .where(
      and(eq(connectionChecks.id, checkId), eq(connectionChecks.environmentId, environmentId)),
    );
  return row ? toStoredCheck(row) : null;
}

/** The newest check of the environment's saved values. */
export async function latestSavedCheck(
  db: DbOrTx,
  environmentId: string,
): Promise<StoredCheck | null> {
  const [row] = await db
    .select()
    .from(connectionChecks)
    .where(
      and(
        eq(connectionChecks.environmentId, environmentId),
        ne(connectionChecks.trigger, "unsaved-value"),
      ),
    )
    .orderBy(desc(connectionChecks.ranAt), desc(connectionChecks.id))
    .limit(1);
  return row ? toStoredCheck(row) : null;
}

/** The check of saved values that ran just before `check` in the same environment. */
export async function previousSavedCheck(
  db: DbOrTx,
  check: { id: string; environmentId: string },
): Promise<StoredCheck | null> {
  // Compared in SQL: the stored time has microseconds, a JavaScript Date only milliseconds.
  const ranAt = sql`(select ${connectionChecks.ranAt} from ${connectionChecks}
    where ${connectionChecks.id} = ${check.id})`;
  const [row] = await db
    .select()
    .from(connectionChecks)
    .where(
      and(
        eq(connectionChecks.environmentId, check.environmentId),
        ne(connectionChecks.trigger, "unsaved-value"),
        lt(connectionChecks.ranAt, ranAt),
      ),
    )
    .orderBy(desc(connectionChecks.ranAt), desc(connectionChecks.id))
    .limit(1);
  return row ? toStoredCheck(row) : null;
}

export interface RollbackOffer {
  secretName: string;
  /** The version the last working check used. */
  toVersion: number;
  /** The secret's current version, which the rollback form must name. */
  currentVersion: number;
}

/**
 * What to roll back after a save broke the connection: when `check` ran after a save and
 * failed, and the check before it worked, each secret whose version moved between the two
 * may go back to the version that worked. Nothing is offered once someone saved again.
 */
export async function rollbackOffers(db: DbOrTx, check: StoredCheck): Promise<RollbackOffer[]> {
  if (check.trigger !== "after-save" || check.status !== "fail") return [];
  const previous = await previousSavedCheck(db, check);
  if (!previous || previous.status === "fail") return [];

  const live = await listSecrets(db, check.environmentId);
  const offers: RollbackOffer[] = [];
  for (const name of SALESFORCE_SECRET_NAMES) {
    const worked = previous.versions[name];
    const failed = check.versions[name];
    if (!worked || !failed || worked === failed) continue;
    const secret = live.find((candidate) => candidate.name === name);
    if (secret?.currentVersion !== failed) continue;
    offers.push({ secretName: name, toVersion: worked, currentVersion: failed });
  }
  return offers;
}
