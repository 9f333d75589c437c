// Reading secrets: lists for the Secrets tab and the overview, versions, deleted secrets, and
// the decrypted values that only the runtime API and the connection check may ask for.

import { and, asc, desc, eq, inArray, isNotNull, isNull } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { users } from "../accounts/tables.ts";
import type { DbOrTx } from "../core/db/client.ts";
import { openValue } from "../crypto/envelope.ts";
import type { Keyring } from "../crypto/keyring.ts";
import { secrets, secretVersions } from "./tables.ts";

/** Deleted secrets wait this long for a restore; then their versions are purged. */
export const RESTORE_DAYS = 30;

export interface SecretSummary {
  id: string;
  name: string;
  currentVersion: number;
  updatedAt: Date;
  updatedBy: string | null;
}

export async function listSecrets(db: DbOrTx, environmentId: string): Promise<SecretSummary[]> {
  return db
    .select({
      id: secrets.id,
      name: secrets.name,
      currentVersion: secrets.currentVersion,
      updatedAt: secrets.updatedAt,
      updatedBy: users.name,
    })
    .from(secrets)
    .leftJoin(users, eq(users.id, secrets.updatedBy))
    .where(and(eq(secrets.environmentId, environmentId), isNull(secrets.deletedAt)))
    .orderBy(asc(secrets.name));
}

/** Live secrets of every environment of an application, for the overview matrix. */
export async function listApplicationSecrets(db: DbOrTx, applicationId: string) {
  return db
    .select({
      environmentId: secrets.environmentId,
      name: secrets.name,
      currentVersion: secrets.currentVersion,
      updatedAt: secrets.updatedAt,
    })
    .from(secrets)
    .where(and(eq(secrets.applicationId, applicationId), isNull(secrets.deletedAt)))
    .orderBy(asc(secrets.name));
}

export async function findLiveSecret(db: DbOrTx, environmentId: string, name: string) {
  const [row] = await db
    .select({
      id: secrets.id,
      name: secrets.name,
      currentVersion: secrets.currentVersion,
      updatedAt: secrets.updatedAt,
      updatedBy: users.name,
    })
    .from(secrets)
    .leftJoin(users, eq(users.id, secrets.updatedBy))
    .where(
      and(
        eq(secrets.environmentId, environmentId),
        eq(secrets.name, name),
        isNull(secrets.deletedAt),
      ),
    );
  return row ?? null;
}

export interface VersionSummary {
  version: number;
  origin: string;
  createdAt: Date;
  createdBy: string | null;
}

export async function listVersions(db: DbOrTx, secretId: string): Promise<VersionSummary[]> {
  return db
    .select({
      version: secretVersions.version,
      origin: secretVersions.origin,
      createdAt: secretVersions.createdAt,
      createdBy: users.name,
    })
    .from(secretVersions)
    .leftJoin(users, eq(users.id, secretVersions.createdBy))
    .where(eq(secretVersions.secretId, secretId))
    .orderBy(desc(secretVersions.version));
}

export async function listDeletedSecrets(db: DbOrTx, environmentId: string) {
  const deleter = alias(users, "deleter");
  const rows = await db
    .select({
      id: secrets.id,
      name: secrets.name,
      currentVersion: secrets.currentVersion,
      deletedAt: secrets.deletedAt,
      deletedBy: deleter.name,
    })
    .from(secrets)
    .leftJoin(deleter, eq(deleter.id, secrets.deletedBy))
    .where(and(eq(secrets.environmentId, environmentId), isNotNull(secrets.deletedAt)))
    .orderBy(desc(secrets.deletedAt));

  return rows.map((row) => ({
    ...row,
    deletedAt: row.deletedAt!,
    purgeAt: new Date(row.deletedAt!.getTime() + RESTORE_DAYS * 86_400_000),
  }));
}

export interface EnvironmentRef {
  id: string;
  applicationId: string;
}

/**
 * The current decrypted values of an environment's live secrets (all, or the names given).
 * Only server-side callers use this: the runtime API and the connection check.
 */
export async function readCurrentValues(
  db: DbOrTx,
  keyring: Keyring,
  environment: EnvironmentRef,
  names?: readonly string[],
): Promise<Map<string, string>> {
  if (names && names.length === 0) return new Map();

  const rows = await db
    .select({ name: secrets.name, sealed: secretVersions })
    .from(secrets)
    .innerJoin(
      secretVersions,
      and(
        eq(secretVersions.secretId, secrets.id),
        eq(secretVersions.version, secrets.currentVersion),
      ),
    )
    .where(
      and(
        eq(secrets.environmentId, environment.id),
        isNull(secrets.deletedAt),
        names ? inArray(secrets.name, [...names]) : undefined,
      ),
    );

  const values = new Map<string, string>();
  for (const { name, sealed } of rows) {
    const context = {
      applicationId: environment.applicationId,
      environmentId: environment.id,
      secretName: name,
      version: sealed.version,
    };
    values.set(name, openValue(sealed, context, keyring));
  }
  return values;
}

/** One stored version's value, for a rollback or a copy; never for display. */
export async function readVersionValue(
  db: DbOrTx,
  keyring: Keyring,
  environment: EnvironmentRef,
  secret: { id: string; name: string },
  version: number,
): Promise<string | null> {
  const [sealed] = await db
    .select()
    .from(secretVersions)
    .where(and(eq(secretVersions.secretId, secret.id), eq(secretVersions.version, version)));
  if (!sealed) return null;

  const context = {
    applicationId: environment.applicationId,
    environmentId: environment.id,
    secretName: secret.name,
    version,
  };
  return openValue(sealed, context, keyring);
}
