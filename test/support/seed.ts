// Fills a database with many sealed secret versions, quickly, for rotation tests and the
// benchmark. Rows go in through bulk inserts; the values are canaries the caller can search for.

import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Database } from "../../src/core/db/client.ts";
import { applications, environments, secrets, secretVersions } from "../../src/core/db/schema.ts";
import { openValue, sealValue } from "../../src/crypto/envelope.ts";
import type { Keyring } from "../../src/crypto/keyring.ts";

export interface SeededVersion {
  applicationId: string;
  environmentId: string;
  secretName: string;
  version: number;
  value: string;
}

export async function seedSecretVersions(
  database: Database,
  keyring: Keyring,
  options: { secrets: number; versionsPerSecret: number; batchSize?: number },
): Promise<{ sample: SeededVersion[]; total: number }> {
  const { db } = database;
  const slug = `seed-${randomBytes(4).toString("hex")}`;
  const [application] = await db
    .insert(applications)
    .values({ slug, name: slug })
    .returning({ id: applications.id });
  const [environment] = await db
    .insert(environments)
    .values({ applicationId: application!.id, name: "Production", slug: "production" })
    .returning({ id: environments.id });

  const applicationId = application!.id;
  const environmentId = environment!.id;
  const batchSize = options.batchSize ?? 500;
  const sample: SeededVersion[] = [];
  let total = 0;

  for (let first = 0; first < options.secrets; first += batchSize) {
    const names = Array.from(
      { length: Math.min(batchSize, options.secrets - first) },
      (_, i) => `SEEDED_${first + i}`,
    );
    const inserted = await db
      .insert(secrets)
      .values(
        names.map((name) => ({
          applicationId,
          environmentId,
          name,
          currentVersion: options.versionsPerSecret,
        })),
      )
      .returning({ id: secrets.id, name: secrets.name });

    for (let version = 1; version <= options.versionsPerSecret; version++) {
      const rows = inserted.map((secret, index) => {
        const value = `canary-${secret.name}-v${version}-${randomBytes(6).toString("hex")}`;
        const context = { applicationId, environmentId, secretName: secret.name, version };
        if (index % 53 === 0 && sample.length < 64) sample.push({ ...context, value });
        const sealed = sealValue(value, context, keyring);
        return { secretId: secret.id, version, origin: "add" as const, ...sealed };
      });
      await db.insert(secretVersions).values(rows);
      total += rows.length;
    }
  }

  return { sample, total };
}

/** Opens every stored version with `keyring`, keyed as keyOf() does; throws if one fails. */
export async function openAllVersions(
  database: Database,
  keyring: Keyring,
): Promise<Map<string, string>> {
  const rows = await database.db
    .select({
      sealed: secretVersions,
      secretName: secrets.name,
      applicationId: secrets.applicationId,
      environmentId: secrets.environmentId,
    })
    .from(secretVersions)
    .innerJoin(secrets, eq(secrets.id, secretVersions.secretId));

  const values = new Map<string, string>();
  for (const { sealed, ...where } of rows) {
    const context = { ...where, version: sealed.version };
    values.set(
      `${where.environmentId}/${where.secretName}/${sealed.version}`,
      openValue(sealed, context, keyring),
    );
  }
  return values;
}

export function keyOf(seeded: SeededVersion): string {
  return `${seeded.environmentId}/${seeded.secretName}/${seeded.version}`;
}
