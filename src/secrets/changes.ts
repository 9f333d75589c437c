// Changing secrets: add, edit, roll back, delete, restore and purge. Each change seals the new
// value under a fresh data key, moves the version forward only if nobody else did first, and
// writes its audit event in the same transaction.

import { and, eq, inArray, isNotNull, lt, sql } from "drizzle-orm";
import { type Actor, recordAudit } from "../audit/record.ts";
import type { Database, DbOrTx, Tx } from "../core/db/client.ts";
import { ConflictError, NotFoundError } from "../core/errors.ts";
import { sealValue } from "../crypto/envelope.ts";
import type { Keyring } from "../crypto/keyring.ts";
import { environments } from "../environments/tables.ts";
import { SecretExistsError, SecretNotFoundError, StaleVersionError } from "./errors.ts";
import { findLiveSecret, RESTORE_DAYS, readVersionValue } from "./queries.ts";
import { secrets, secretVersions, type VERSION_ORIGINS } from "./tables.ts";

export type VersionOrigin = (typeof VERSION_ORIGINS)[number];

/** Where a change happens: an application and one of its environments. */
export interface Place {
  application: { id: string; name: string };
  environment: { id: string; name: string };
}

export interface SecretsDeps {
  database: Database;
  keyring: Keyring;
}

const AUDIT_ACTIONS: Record<VersionOrigin, string> = {
  add: "secret.added",
  edit: "secret.updated",
  rollback: "secret.rolled_back",
  import: "secret.imported",
  copy: "secret.copied",
};

/** Stores a new version row for `secret`, sealed where it belongs. */
async function insertVersion(
  tx: DbOrTx,
  keyring: Keyring,
  place: Place,
  secret: { id: string; name: string },
  version: number,
  value: string,
  origin: VersionOrigin,
  actor: Actor,
) {
  const context = {
    applicationId: place.application.id,
    environmentId: place.environment.id,
    secretName: secret.name,
    version,
  };
  await tx.insert(secretVersions).values({
    secretId: secret.id,
    version,
    origin,
    createdBy: actor.id,
    ...sealValue(value, context, keyring),
  });
}

/** Creates a secret at version 1 inside the caller's transaction. */
export async function addSecretIn(
  tx: Tx,
  keyring: Keyring,
  actor: Actor,
  place: Place,
  name: string,
  value: string,
  origin: VersionOrigin = "add",
  detail?: Record<string, string>,
): Promise<void> {
  if (await findLiveSecret(tx, place.environment.id, name)) {
    throw new SecretExistsError(name, place.environment.name);
  }

  // A savepoint, so losing a race on the unique name leaves the caller's transaction usable.
  const created = await tx
    .transaction(async (inner) =>
      inner
        .insert(secrets)
        .values({
          applicationId: place.application.id,
          environmentId: place.environment.id,
          name,
          currentVersion: 1,
          updatedBy: actor.id,
        })
        .returning({ id: secrets.id, name: secrets.name }),
    )
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) throw new SecretExistsError(name, place.environment.name);
      throw error;
    });

  await insertVersion(tx, keyring, place, created[0]!, 1, value, origin, actor);
  await recordAudit(tx, actor, {
    applicationId: place.application.id,
    action: AUDIT_ACTIONS[origin],
    environment: place.environment,
    secretName: name,
    version: 1,
    detail,
  });
}

/**
 * Makes `value` the next version of a live secret, provided its current version is still
 * `expectedVersion`; otherwise nothing is written and StaleVersionError says who moved it.
 */
export async function replaceSecretIn(
  tx: Tx,
  keyring: Keyring,
  actor: Actor,
  place: Place,
  name: string,
  value: string,
  expectedVersion: number,
  origin: VersionOrigin = "edit",
  detail?: Record<string, string | number>,
): Promise<number> {
  const current = await findLiveSecret(tx, place.environment.id, name);
  if (!current) throw new SecretNotFoundError(name, place.environment.name);

  const next = expectedVersion + 1;
  const moved = await tx
    .update(secrets)
    .set({ currentVersion: next, updatedAt: sql`now()`, updatedBy: actor.id })
    .where(and(eq(secrets.id, current.id), eq(secrets.currentVersion, expectedVersion)))
    .returning({ id: secrets.id });

  if (moved.length === 0) {
    throw StaleVersionError.of(current, expectedVersion);
  }

  await insertVersion(tx, keyring, place, current, next, value, origin, actor);
  await recordAudit(tx, actor, {
    applicationId: place.application.id,
    action: AUDIT_ACTIONS[origin],
    environment: place.environment,
    secretName: name,
    version: next,
    detail,
  });
  return next;
}

export function addSecret(
  deps: SecretsDeps,
  actor: Actor,
  place: Place,
  name: string,
  value: string,
) {
  return deps.database.db.transaction((tx) =>
    addSecretIn(tx, deps.keyring, actor, place, name, value),
  );
}

export function editSecret(
  deps: SecretsDeps,
  actor: Actor,
  place: Place,
  name: string,
  value: string,
  expectedVersion: number,
): Promise<number> {
  return deps.database.db.transaction((tx) =>
    replaceSecretIn(tx, deps.keyring, actor, place, name, value, expectedVersion),
  );
}

/** A new version holding an earlier version's value. */
export function rollbackSecret(
  deps: SecretsDeps,
  actor: Actor,
  place: Place,
  name: string,
  toVersion: number,
  expectedVersion: number,
): Promise<number> {
  return deps.database.db.transaction(async (tx) => {
    const current = await findLiveSecret(tx, place.environment.id, name);
    if (!current) throw new SecretNotFoundError(name, place.environment.name);

    const environment = { id: place.environment.id, applicationId: place.application.id };
    const value = await readVersionValue(tx, deps.keyring, environment, current, toVersion);
    if (value === null) throw new NotFoundError(`${name} has no version ${toVersion}.`);

    return replaceSecretIn(
      tx,
      deps.keyring,
      actor,
      place,
      name,
      value,
      expectedVersion,
      "rollback",
      {
        fromVersion: toVersion,
      },
    );
  });
}

/** Moves a live secret to the environment's deleted list, restorable for RESTORE_DAYS. */
export function deleteSecret(
  deps: SecretsDeps,
  actor: Actor,
  place: Place,
  name: string,
  expectedVersion: number,
): Promise<void> {
  return deps.database.db.transaction(async (tx) => {
    const current = await findLiveSecret(tx, place.environment.id, name);
    if (!current) throw new SecretNotFoundError(name, place.environment.name);

    const deleted = await tx
      .update(secrets)
      .set({ deletedAt: sql`now()`, deletedBy: actor.id })
      .where(and(eq(secrets.id, current.id), eq(secrets.currentVersion, expectedVersion)))
      .returning({ id: secrets.id });
    if (deleted.length === 0) {
      throw StaleVersionError.of(current, expectedVersion);
    }

    await recordAudit(tx, actor, {
      applicationId: place.application.id,
      action: "secret.deleted",
      environment: place.environment,
      secretName: name,
      version: current.currentVersion,
    });
  });
}

/** Brings a deleted secret back, unless a live secret has taken its name meanwhile. */
export function restoreSecret(
  deps: SecretsDeps,
  actor: Actor,
  place: Place,
  secretId: string,
): Promise<string> {
  return deps.database.db.transaction(async (tx) => {
    const [deleted] = await tx
      .select({ id: secrets.id, name: secrets.name, currentVersion: secrets.currentVersion })
      .from(secrets)
      .where(
        and(
          eq(secrets.id, secretId),
          eq(secrets.environmentId, place.environment.id),
          isNotNull(secrets.deletedAt),
        ),
      );
    if (!deleted) throw new NotFoundError("That deleted secret is not in this environment.");

    if (await findLiveSecret(tx, place.environment.id, deleted.name)) {
      throw new ConflictError(
        `${deleted.name} exists again in ${place.environment.name}; delete or rename that one ` +
          "before restoring this.",
      );
    }

    await tx
      .update(secrets)
      .set({ deletedAt: null, deletedBy: null, updatedAt: sql`now()`, updatedBy: actor.id })
      .where(eq(secrets.id, deleted.id));
    await recordAudit(tx, actor, {
      applicationId: place.application.id,
      action: "secret.restored",
      environment: place.environment,
      secretName: deleted.name,
      version: deleted.currentVersion,
    });
    return deleted.name;
  });
}

/** Removes, with all their versions, secrets deleted more than RESTORE_DAYS before `now`. */
export async function purgeDeletedSecrets(database: Database, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - RESTORE_DAYS * 86_400_000);
  return database.db.transaction(async (tx) => {
    const expired = await tx
      .select({
        id: secrets.id,
        applicationId: secrets.applicationId,
        environmentId: secrets.environmentId,
        environmentName: environments.name,
        name: secrets.name,
      })
      .from(secrets)
      .innerJoin(environments, eq(environments.id, secrets.environmentId))
      .where(and(isNotNull(secrets.deletedAt), lt(secrets.deletedAt, cutoff)));
    if (expired.length === 0) return 0;

    await tx.delete(secrets).where(
      inArray(
        secrets.id,
        expired.map((row) => row.id),
      ),
    );
    for (const row of expired) {
      await recordAudit(
        tx,
        { id: null, name: "Secrets console" },
        {
          applicationId: row.applicationId,
          action: "secret.purged",
          environment: { id: row.environmentId, name: row.environmentName },
          secretName: row.name,
          detail: { afterDays: RESTORE_DAYS },
        },
      );
    }
    return expired.length;
  });
}

function isUniqueViolation(error: unknown): boolean {
  const code =
    (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  return code === "23505";
}
