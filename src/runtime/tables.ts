// Runtime tokens, which let an application's server read one environment's values, and the
// counts of those reads per secret and feature. A token is stored only as its SHA-256 hash.

import { date, index, integer, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { doneBy } from "../accounts/tables.ts";
import { at, createdAt } from "../core/db/types.ts";
import { belongsToEnvironment, environments } from "../environments/tables.ts";

export const runtimeTokens = pgTable(
  "runtime_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ...belongsToEnvironment(),
    label: text("label").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    /** The first characters of the token, so an owner can tell tokens apart. */
    hint: text("hint").notNull(),
    createdBy: doneBy("created_by"),
    createdAt: createdAt(),
    lastUsedAt: at("last_used_at"),
    revokedAt: at("revoked_at"),
    revokedBy: doneBy("revoked_by"),
  },
  (table) => [index("runtime_tokens_environment").on(table.environmentId)],
);

/** Reads per environment, secret, feature ("" when none was named) and UTC day. */
export const secretReads = pgTable(
  "secret_reads",
  {
    environmentId: uuid("environment_id")
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    secretName: text("secret_name").notNull(),
    featureKey: text("feature_key").notNull(),
    day: date("day").notNull(),
    reads: integer("reads").notNull(),
    lastReadAt: at("last_read_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.environmentId, table.secretName, table.featureKey, table.day] }),
  ],
);
