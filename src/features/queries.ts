// Reading declared features of one environment.

import { asc, eq } from "drizzle-orm";
import type { DbOrTx } from "../core/db/client.ts";
import { features } from "./tables.ts";

export async function listFeaturesIn(db: DbOrTx, environmentId: string) {
  return db
    .select({
      key: features.key,
      name: features.name,
      secrets: features.secrets,
      source: features.source,
    })
    .from(features)
    .where(eq(features.environmentId, environmentId))
    .orderBy(asc(features.key));
}
