// Master key rotation: re-wraps every data key under the target master key, in batches that
// each commit on their own. Values are never decrypted. A run that is killed loses at most the
// batch in flight; running again picks up the rows still under another key.

import { and, asc, eq, gt, ne, sql } from "drizzle-orm";
import type { Database } from "../core/db/client.ts";
import { rewrapKey } from "../crypto/envelope.ts";
import type { Keyring } from "../crypto/keyring.ts";
import { secrets, secretVersions } from "../secrets/tables.ts";
import { forgetUnusedKeys, recordKey } from "./verify.ts";

export interface RotationProgress {
  rewrapped: number;
  remaining: number;
}

export interface RotationOptions {
  /** The key to wrap under; the keyring's active key by default. */
  toKeyId?: string;
  batchSize?: number;
  onBatch?: (progress: RotationProgress) => void;
}

export interface RotationResult {
  toKeyId: string;
  rewrapped: number;
  forgottenKeyIds: string[];
}

export async function rotateDataKeys(
  database: Database,
  keyring: Keyring,
  options: RotationOptions = {},
): Promise<RotationResult> {
  const toKeyId = options.toKeyId ?? keyring.active.id;
  const batchSize = options.batchSize ?? 1000;
  const { db } = database;

  // Record the target first: a crash after the first batch must still find its check value.
  keyring.get(toKeyId);
  await recordKey(database, keyring, toKeyId);

  let remaining = await countUnder(database, toKeyId);
  let rewrapped = 0;
  let after = "00000000-0000-0000-0000-000000000000";

  while (true) {
    const batchCount = await db.transaction(async (tx) => {
      const rows = await tx
        .select({
          id: secretVersions.id,
          wrappedKey: secretVersions.wrappedKey,
          keyId: secretVersions.keyId,
          version: secretVersions.version,
          secretName: secrets.name,
          applicationId: secrets.applicationId,
          environmentId: secrets.environmentId,
        })
        .from(secretVersions)
        .innerJoin(secrets, eq(secrets.id, secretVersions.secretId))
        .where(and(ne(secretVersions.keyId, toKeyId), gt(secretVersions.id, after)))
        .orderBy(asc(secretVersions.id))
        .limit(batchSize)
        .for("update", { of: secretVersions });

      if (rows.length === 0) return 0;

      const updates = rows.map((row) => {
        const rewrappedKey = rewrapKey(row, row, keyring, toKeyId);
        return sql`(${row.id}::uuid, ${Buffer.from(rewrappedKey.wrappedKey)}::bytea)`;
      });

      // One statement per batch: a hundred thousand single-row updates would dominate the run.
      await tx.execute(sql`
        update ${secretVersions} as v
        set wrapped_key = batch.wrapped_key, key_id = ${toKeyId}
        from (values ${sql.join(updates, sql`, `)}) as batch(id, wrapped_key)
        where v.id = batch.id`);

      after = rows[rows.length - 1]!.id;
      return rows.length;
    });

    if (batchCount === 0) break;
    rewrapped += batchCount;
    remaining = Math.max(remaining - batchCount, 0);
    options.onBatch?.({ rewrapped, remaining });
  }

  const forgottenKeyIds = await forgetUnusedKeys(database, toKeyId);
  return { toKeyId, rewrapped, forgottenKeyIds };
}

export async function countUnder(database: Database, notKeyId: string): Promise<number> {
  const [row] = await database.db
    .select({ count: sql<number>`count(*)::int` })
    .from(secretVersions)
    .where(ne(secretVersions.keyId, notKeyId));
  return row?.count ?? 0;
}
