// Runtime tokens, which let an application's server read one environment's values, and the
// counts of those reads per secret and feature. A token is stored only as its SHA-256 hash.

import { date, index, integer, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { users } from "../accounts/tables.ts";
import { applications } from "../applications/tables.ts";
import { at, createdAt } from "../core/db/types.ts";
import { environments } from "../environments/tables.ts";

export const runtimeTokens = pgTable(
  "runtime_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => applications.id, { onDelete: "cascade" }),
    environmentId: uuid("environment_id")
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    /** The first characters of the token, so an owner can tell tokens apart. */
    hint: text("hint").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    lastUsedAt: at("last_used_at"),
    revokedAt: at("revoked_at"),
    revokedBy: uuid("revoked_by").references(() => users.id, { onDelete: "set null" }),
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
