// What depends on a secret in one environment: features declared to need it, features seen
// reading it (declared or not), and integrations built on it. The delete confirmation, the
// Edit page, environment removal and the Secrets tab's badges all read it from here.

import { and, eq, isNull } from "drizzle-orm";
import type { DbOrTx } from "../core/db/client.ts";
import { secrets } from "../secrets/tables.ts";
import { observedUse } from "./features.ts";
import { listFeaturesIn } from "./queries.ts";

/** Integrations of the console that need particular secrets, with what stops without them. */
export const INTEGRATIONS = [
  {
    name: "Salesforce connection",
    secrets: ["SALESFORCE_CLIENT_ID", "SALESFORCE_CLIENT_SECRET", "SALESFORCE_INSTANCE_URL"],
    consequence:
      "The connection check fails, and every feature that reads Salesforce data stops " +
      "receiving it.",
  },
] as const;

/** A read within this window makes deleting the secret ask for its name to be typed. */
export const RECENT_READ_HOURS = 24;

export interface Dependents {
  declared: { key: string; name: string; source: string; consequence: string }[];
  observed: { featureKey: string; reads: number; lastReadAt: Date; declared: boolean }[];
  integrations: { name: string; consequence: string }[];
  lastReadAt: Date | null;
  readRecently: boolean;
  count: number;
}

export async function dependentsOf(
  db: DbOrTx,
  environmentId: string,
  secretName: string,
  now = new Date(),
): Promise<Dependents> {
  return (await dependentsByName(db, environmentId, now, [secretName])).get(secretName)!;
}

/** Dependents of several secrets of one environment (all live ones when `names` is absent). */
export async function dependentsByName(
  db: DbOrTx,
  environmentId: string,
  now = new Date(),
  names?: readonly string[],
): Promise<Map<string, Dependents>> {
  const wanted =
    names ??
    (
      await db
        .select({ name: secrets.name })
        .from(secrets)
        .where(and(eq(secrets.environmentId, environmentId), isNull(secrets.deletedAt)))
    ).map((row) => row.name);
  const declaredFeatures = await listFeaturesIn(db, environmentId);
  const observed = await observedUse(db, environmentId, now);

  const result = new Map<string, Dependents>();
  for (const name of wanted) {
    const declared = declaredFeatures
      .filter((feature) => feature.secrets.includes(name))
      .map((feature) => ({
        key: feature.key,
        name: feature.name,
        source: feature.source,
        consequence: `${feature.name} stops working: it is declared to need ${name}.`,
      }));
    const declaredKeys = new Set(declared.map((feature) => feature.key));
    const seen = (observed.get(name) ?? [])
      .map((use) => ({ ...use, declared: declaredKeys.has(use.featureKey) }))
      .sort((a, b) => b.lastReadAt.getTime() - a.lastReadAt.getTime());
    const integrations = INTEGRATIONS.filter((integration) =>
      (integration.secrets as readonly string[]).includes(name),
    ).map(({ name: integrationName, consequence }) => ({ name: integrationName, consequence }));

    const lastReadAt = seen[0]?.lastReadAt ?? null;
    const undeclaredReaders = seen.filter((use) => !use.declared).length;
    result.set(name, {
      declared,
      observed: seen,
      integrations,
      lastReadAt,
      readRecently:
        lastReadAt !== null && now.getTime() - lastReadAt.getTime() < RECENT_READ_HOURS * 3.6e6,
      count: declared.length + undeclaredReaders + integrations.length,
    });
  }
  return result;
}
