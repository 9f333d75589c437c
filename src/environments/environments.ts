// Environments of an application: add, rename and remove, each audited in its transaction.
// A slug is made once from the first name and never changes, so URLs, runtime tokens and
// scripts keep working after a rename.

import { and, count, countDistinct, eq, isNull, max, ne, sql } from "drizzle-orm";
import type { EnvironmentSummary } from "../applications/access.ts";
import { isUniqueViolation, slugFromName } from "../applications/applications.ts";
import { type Actor, recordAudit } from "../audit/record.ts";
import type { Database } from "../core/db/client.ts";
import { BadRequestError, ConflictError } from "../core/errors.ts";
import { features } from "../features/tables.ts";
import { runtimeTokens } from "../runtime/tables.ts";
import { secrets } from "../secrets/tables.ts";
import { environments } from "./tables.ts";

export const ENVIRONMENT_NAME_MAX_LENGTH = 40;

/** A problem with a typed environment name, or null when it can be used. */
export function environmentNameProblem(name: string): string | null {
  if (name === "") return "Enter a name for the environment.";
  if (name.length > ENVIRONMENT_NAME_MAX_LENGTH) {
    return `Use at most ${ENVIRONMENT_NAME_MAX_LENGTH} characters.`;
  }
  if (slugFromName(name) === "") return "Use at least one letter or digit.";
  return null;
}

export interface EnvironmentUsage {
  secrets: number;
  runtimeTokens: number;
  features: number;
}

export async function environmentUsage(
  database: Database,
  environmentId: string,
): Promise<EnvironmentUsage> {
  const [secretCount] = await database.db
    .select({ n: count() })
    .from(secrets)
    .where(and(eq(secrets.environmentId, environmentId), isNull(secrets.deletedAt)));
  const [tokenCount] = await database.db
    .select({ n: count() })
    .from(runtimeTokens)
    .where(and(eq(runtimeTokens.environmentId, environmentId), isNull(runtimeTokens.revokedAt)));
  const [featureCount] = await database.db
    .select({ n: countDistinct(features.key) })
    .from(features)
    .where(eq(features.environmentId, environmentId));
  return {
    secrets: secretCount?.n ?? 0,
    runtimeTokens: tokenCount?.n ?? 0,
    features: featureCount?.n ?? 0,
  };
}

async function assertNameFree(
  database: Database,
  applicationId: string,
  name: string,
  exceptId?: string,
) {
  const [taken] = await database.db
    .select({ id: environments.id })
    .from(environments)
    .where(
      and(
        eq(environments.applicationId, applicationId),
        sql`lower(${environments.name}) = lower(${name})`,
        exceptId ? ne(environments.id, exceptId) : undefined,
      ),
    );
  if (taken) {
    throw new BadRequestError("Check the highlighted field.", {
      name: `There is already an environment called ${name}.`,
    });
  }
}

export async function addEnvironment(
  database: Database,
  actor: Actor,
  application: { id: string },
  name: string,
): Promise<void> {
  await assertNameFree(database, application.id, name);
  const slug = slugFromName(name).slice(0, 40).replace(/-+$/, "");

  await database.db
    .transaction(async (tx) => {
      const [last] = await tx
        .select({ position: max(environments.position) })
        .from(environments)
        .where(eq(environments.applicationId, application.id));
      const [created] = await tx
        .insert(environments)
        .values({
          applicationId: application.id,
          name,
          slug,
          position: (last?.position ?? -1) + 1,
        })
        .returning({ id: environments.id, name: environments.name });
      await recordAudit(tx, actor, {
        applicationId: application.id,
        action: "environment.added",
        environment: created!,
      });
    })
    .catch((error: unknown) => {
      if (!isUniqueViolation(error)) throw error;
      throw new BadRequestError("Check the highlighted field.", {
        name: `The address "${slug}" is taken by another environment; choose another name.`,
      });
    });
}

export async function renameEnvironment(
  database: Database,
  actor: Actor,
  application: { id: string },
  environment: EnvironmentSummary,
  name: string,
): Promise<void> {
  await assertNameFree(database, application.id, name, environment.id);
  await database.db.transaction(async (tx) => {
    await tx.update(environments).set({ name }).where(eq(environments.id, environment.id));
    await recordAudit(tx, actor, {
      applicationId: application.id,
      action: "environment.renamed",
      environment: { id: environment.id, name },
      detail: { from: environment.name },
    });
  });
}

/**
 * Removes an environment with its secrets, versions, runtime tokens and features. An
 * application keeps at least one environment.
 */
export async function removeEnvironment(
  database: Database,
  actor: Actor,
  application: { id: string },
  environment: EnvironmentSummary,
  remaining: number,
): Promise<EnvironmentUsage> {
  if (remaining <= 1) {
    throw new ConflictError(
      `${environment.name} is the application's only environment; add another before removing it.`,
    );
  }

  const usage = await environmentUsage(database, environment.id);
  await database.db.transaction(async (tx) => {
    await tx.delete(environments).where(eq(environments.id, environment.id));
    await recordAudit(tx, actor, {
      applicationId: application.id,
      action: "environment.removed",
      environment,
      detail: { secrets: usage.secrets, runtimeTokens: usage.runtimeTokens },
    });
  });
  return usage;
}
