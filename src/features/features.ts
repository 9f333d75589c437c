// Features: the parts of an application that read secrets. They are declared per environment
// by the application's code (a manifest through the runtime API, replacing that environment's
// earlier one) or by owners in the console. Declared and observed use together say what breaks
// when a secret goes.

import { and, asc, eq, gt, sql } from "drizzle-orm";
import { type Actor, recordAudit } from "../audit/record.ts";
import type { Database, DbOrTx } from "../core/db/client.ts";
import { BadRequestError } from "../core/errors.ts";
import { secretReads } from "../runtime/tables.ts";
import { SECRET_NAME_MAX_LENGTH, SECRET_NAME_PATTERN } from "../secrets/names.ts";
import { type FEATURE_SOURCES, features } from "./tables.ts";

export type FeatureSource = (typeof FEATURE_SOURCES)[number];

export const FEATURE_KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const FEATURE_NAME_MAX_LENGTH = 80;
const MAX_SECRETS_PER_FEATURE = 100;
export const MAX_FEATURES_PER_MANIFEST = 200;

export interface FeatureInput {
  key: string;
  name: string;
  secrets: string[];
}

/** Checks one declared feature; returns what is wrong, or null. */
export function featureProblem(input: FeatureInput): string | null {
  if (!FEATURE_KEY_PATTERN.test(input.key)) {
    return "A feature key is 1 to 64 lower-case letters, digits, dots, dashes or underscores.";
  }
  if (input.name.trim() === "" || input.name.length > FEATURE_NAME_MAX_LENGTH) {
    return `Feature ${input.key} needs a name of 1 to ${FEATURE_NAME_MAX_LENGTH} characters.`;
  }
  if (input.secrets.length > MAX_SECRETS_PER_FEATURE) {
    return `Feature ${input.key} lists more than ${MAX_SECRETS_PER_FEATURE} secrets.`;
  }
  const bad = input.secrets.find(
    (name) => name.length > SECRET_NAME_MAX_LENGTH || !SECRET_NAME_PATTERN.test(name),
  );
  if (bad !== undefined)
    return `Feature ${input.key} lists "${bad.slice(0, 40)}", not a secret name.`;
  return null;
}

/** Reads a manifest body `{ features: [{ key, name, secrets }] }`; throws on any problem. */
export function parseManifest(body: unknown): FeatureInput[] {
  const list = (body as { features?: unknown } | null)?.features;
  if (!Array.isArray(list)) {
    throw new BadRequestError('The body must be {"features": [{"key", "name", "secrets"}]}.');
  }
  if (list.length > MAX_FEATURES_PER_MANIFEST) {
    throw new BadRequestError(`A manifest declares at most ${MAX_FEATURES_PER_MANIFEST} features.`);
  }

  const seen = new Set<string>();
  return list.map((item: unknown, index) => {
    const raw = item as { key?: unknown; name?: unknown; secrets?: unknown } | null;
    const secrets = Array.isArray(raw?.secrets) ? raw.secrets : null;
    if (typeof raw?.key !== "string" || typeof raw.name !== "string" || !secrets) {
      throw new BadRequestError(`Feature ${index + 1} needs a key, a name and a secrets list.`);
    }
    if (!secrets.every((name): name is string => typeof name === "string")) {
      throw new BadRequestError(`Feature ${raw.key} lists a secret that is not a string.`);
    }
    const input = { key: raw.key, name: raw.name.trim(), secrets: [...new Set(secrets)].sort() };
    const problem = featureProblem(input);
    if (problem) throw new BadRequestError(problem);
    if (seen.has(input.key)) throw new BadRequestError(`Feature ${input.key} is declared twice.`);
    seen.add(input.key);
    return input;
  });
}

export interface FeatureRow {
  id: string;
  environmentId: string;
  key: string;
  name: string;
  secrets: string[];
  source: FeatureSource;
  updatedAt: Date;
}

export async function listFeatures(db: DbOrTx, applicationId: string): Promise<FeatureRow[]> {
  return db
    .select({
      id: features.id,
      environmentId: features.environmentId,
      key: features.key,
      name: features.name,
      secrets: features.secrets,
      source: features.source,
      updatedAt: features.updatedAt,
    })
    .from(features)
    .where(eq(features.applicationId, applicationId))
    .orderBy(asc(features.key), asc(features.source));
}

/** The runtime's manifest replaces every feature it declared earlier in that environment. */
export async function replaceRuntimeFeatures(
  database: Database,
  actor: Actor,
  environment: { id: string; name: string; applicationId: string },
  manifest: readonly FeatureInput[],
): Promise<void> {
  await database.db.transaction(async (tx) => {
    await tx
      .delete(features)
      .where(and(eq(features.environmentId, environment.id), eq(features.source, "runtime")));
    if (manifest.length > 0) {
      await tx.insert(features).values(
        manifest.map((feature) => ({
          applicationId: environment.applicationId,
          environmentId: environment.id,
          source: "runtime" as const,
          ...feature,
        })),
      );
    }
    await recordAudit(tx, actor, {
      applicationId: environment.applicationId,
      action: "feature.manifest",
      environment,
      detail: { features: manifest.length },
    });
  });
}

/** Declares (or redeclares) a console feature in each of the given environments. */
export async function saveConsoleFeature(
  database: Database,
  actor: Actor,
  applicationId: string,
  input: FeatureInput,
  inEnvironments: readonly { id: string; name: string }[],
  allEnvironments: readonly { id: string }[],
): Promise<void> {
  await database.db.transaction(async (tx) => {
    for (const environment of allEnvironments) {
      await tx
        .delete(features)
        .where(
          and(
            eq(features.environmentId, environment.id),
            eq(features.key, input.key),
            eq(features.source, "console"),
          ),
        );
    }
    for (const environment of inEnvironments) {
      await tx.insert(features).values({
        applicationId,
        environmentId: environment.id,
        source: "console",
        updatedBy: actor.id,
        ...input,
      });
    }
    await recordAudit(tx, actor, {
      applicationId,
      action: "feature.saved",
      detail: {
        key: input.key,
        environments: inEnvironments.map((environment) => environment.name).join(", "),
      },
    });
  });
}

export async function removeConsoleFeature(
  database: Database,
  actor: Actor,
  applicationId: string,
  key: string,
): Promise<number> {
  return database.db.transaction(async (tx) => {
    const removed = await tx
      .delete(features)
      .where(
        and(
          eq(features.applicationId, applicationId),
          eq(features.key, key),
          eq(features.source, "console"),
        ),
      )
      .returning({ id: features.id });
    if (removed.length > 0) {
      await recordAudit(tx, actor, { applicationId, action: "feature.removed", detail: { key } });
    }
    return removed.length;
  });
}

export interface ObservedUse {
  featureKey: string;
  reads: number;
  lastReadAt: Date;
}

/** Reads of one environment's secrets over the last `days` days, per secret and feature. */
export async function observedUse(
  db: DbOrTx,
  environmentId: string,
  now: Date,
  days = 7,
): Promise<Map<string, ObservedUse[]>> {
  const since = new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);
  const rows = await db
    .select({
      secretName: secretReads.secretName,
      featureKey: secretReads.featureKey,
      reads: sql<number>`sum(${secretReads.reads})::int`,
      lastReadAt: sql<Date>`max(${secretReads.lastReadAt})`,
    })
    .from(secretReads)
    .where(and(eq(secretReads.environmentId, environmentId), gt(secretReads.day, since)))
    .groupBy(secretReads.secretName, secretReads.featureKey);

  const bySecret = new Map<string, ObservedUse[]>();
  for (const row of rows) {
    const list = bySecret.get(row.secretName) ?? [];
    list.push({
      featureKey: row.featureKey,
      reads: row.reads,
      lastReadAt: new Date(row.lastReadAt),
    });
    bySecret.set(row.secretName, list);
  }
  return bySecret;
}
