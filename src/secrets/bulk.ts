// Changes to many secrets at once: importing pasted .env text and copying between
// environments. Both run server-side in one transaction: values never pass through a browser.

import { and, eq, gt, lt } from "drizzle-orm";
import type { Actor } from "../audit/record.ts";
import type { Tx } from "../core/db/client.ts";
import { NotFoundError } from "../core/errors.ts";
import { openValue, sealValue } from "../crypto/envelope.ts";
import { addSecretIn, type Place, replaceSecretIn, type SecretsDeps } from "./changes.ts";
import { findLiveSecret, readCurrentValues } from "./queries.ts";
import { pendingImports } from "./tables.ts";

const PENDING_IMPORT_MINUTES = 60;

export interface ImportEntry {
  name: string;
  value: string;
}

export interface ImportPlan {
  add: string[];
  replace: string[];
  /** Names already holding exactly the pasted value. */
  same: string[];
}

/** What applying `entries` to the environment would do, comparing with the stored values. */
export async function planImport(
  deps: SecretsDeps,
  place: Place,
  entries: readonly ImportEntry[],
): Promise<ImportPlan> {
  const environment = { id: place.environment.id, applicationId: place.application.id };
  const current = await readCurrentValues(
    deps.database.db,
    deps.keyring,
    environment,
    entries.map((entry) => entry.name),
  );

  const plan: ImportPlan = { add: [], replace: [], same: [] };
  for (const { name, value } of entries) {
    const stored = current.get(name);
    if (stored === undefined) plan.add.push(name);
    else if (stored === value) plan.same.push(name);
    else plan.replace.push(name);
  }
  return plan;
}

/** Applies an import: adds new names, and replaces changed ones when `replace` is set. */
export function applyImport(
  deps: SecretsDeps,
  actor: Actor,
  place: Place,
  entries: readonly ImportEntry[],
  options: { replace: boolean },
): Promise<{ added: number; replaced: number; left: number }> {
  return deps.database.db.transaction(async (tx) => {
    const result = { added: 0, replaced: 0, left: 0 };
    const environment = { id: place.environment.id, applicationId: place.application.id };
    const current = await readCurrentValues(
      tx,
      deps.keyring,
      environment,
      entries.map((entry) => entry.name),
    );

    for (const { name, value } of entries) {
      const stored = current.get(name);
      if (stored === undefined) {
        await addSecretIn(tx, deps.keyring, actor, place, name, value, "import");
        result.added++;
      } else if (stored !== value && options.replace) {
        await replaceWithCurrent(tx, deps, actor, place, name, value, "import");
        result.replaced++;
      } else {
        result.left++;
      }
    }
    return result;
  });
}

async function replaceWithCurrent(
  tx: Tx,
  deps: SecretsDeps,
  actor: Actor,
  place: Place,
  name: string,
  value: string,
  origin: "import" | "copy",
  detail?: Record<string, string>,
) {
  const secret = await findLiveSecret(tx, place.environment.id, name);
  if (!secret) return;
  await replaceSecretIn(
    tx,
    deps.keyring,
    actor,
    place,
    name,
    value,
    secret.currentVersion,
    origin,
    detail,
  );
}

export interface CopyResult {
  copied: string[];
  replaced: string[];
  /** Names that exist in the target and were left as they are. */
  leftAlone: string[];
}

/**
 * Copies the current values of `names` (or every live secret) from one environment of an
 * application to another. Names that exist in the target are left alone unless `replace`.
 */
export function copySecrets(
  deps: SecretsDeps,
  actor: Actor,
  from: Place,
  to: Place,
  names: readonly string[] | "all",
  options: { replace: boolean },
): Promise<CopyResult> {
  return deps.database.db.transaction(async (tx) => {
    const source = { id: from.environment.id, applicationId: from.application.id };
    const target = { id: to.environment.id, applicationId: to.application.id };
    const wanted = names === "all" ? undefined : names;
    const values = await readCurrentValues(tx, deps.keyring, source, wanted);
    if (wanted) {
      const missing = wanted.filter((name) => !values.has(name));
      if (missing.length > 0) {
        throw new NotFoundError(`${missing.join(", ")} is not in ${from.environment.name}.`);
      }
    }
    const existing = await readCurrentValues(tx, deps.keyring, target, [...values.keys()]);

    const result: CopyResult = { copied: [], replaced: [], leftAlone: [] };
    const detail = { fromEnvironment: from.environment.name };
    for (const [name, value] of [...values].sort(([a], [b]) => a.localeCompare(b))) {
      if (!existing.has(name)) {
        await addSecretIn(tx, deps.keyring, actor, to, name, value, "copy", detail);
        result.copied.push(name);
      } else if (options.replace && existing.get(name) !== value) {
        await replaceWithCurrent(tx, deps, actor, to, name, value, "copy", detail);
        result.replaced.push(name);
      } else {
        result.leftAlone.push(name);
      }
    }
    return result;
  });
}

function pendingContext(place: Place, id: string) {
  // "import:" cannot start a secret name, so this context never matches a real secret's.
  return {
    applicationId: place.application.id,
    environmentId: place.environment.id,
    secretName: `import:${id}`,
    version: 0,
  };
}

/** Keeps pasted text, sealed, until the owner applies the previewed import. */
export async function savePendingImport(
  deps: SecretsDeps,
  place: Place,
  userId: string,
  text: string,
): Promise<string> {
  const { db } = deps.database;
  await db.delete(pendingImports).where(lt(pendingImports.expiresAt, new Date()));

  const id = crypto.randomUUID();
  await db.insert(pendingImports).values({
    id,
    applicationId: place.application.id,
    environmentId: place.environment.id,
    createdBy: userId,
    expiresAt: new Date(Date.now() + PENDING_IMPORT_MINUTES * 60_000),
    ...sealValue(text, pendingContext(place, id), deps.keyring),
  });
  return id;
}

/** The text of a pending import made by this user for this place, or null once expired. */
export async function readPendingImport(
  deps: SecretsDeps,
  place: Place,
  userId: string,
  id: string,
): Promise<string | null> {
  const [row] = await deps.database.db
    .select()
    .from(pendingImports)
    .where(
      and(
        eq(pendingImports.id, id),
        eq(pendingImports.environmentId, place.environment.id),
        eq(pendingImports.createdBy, userId),
        gt(pendingImports.expiresAt, new Date()),
      ),
    );
  return row ? openValue(row, pendingContext(place, id), deps.keyring) : null;
}

export async function discardPendingImport(deps: SecretsDeps, id: string): Promise<void> {
  await deps.database.db.delete(pendingImports).where(eq(pendingImports.id, id));
}
