// Secrets and their versions. A version row holds only ciphertext and a wrapped data key; the
// master key that unwraps it never enters the database (see src/crypto/).

import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, unique, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { doneBy, users } from "../accounts/tables.ts";
import { at, bytea, createdAt } from "../core/db/types.ts";
import { belongsToEnvironment } from "../environments/tables.ts";

export const secrets = pgTable(
  "secrets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ...belongsToEnvironment(),
    name: text("name").notNull(),
    currentVersion: integer("current_version").notNull(),
    createdAt: createdAt(),
    updatedAt: at("updated_at").notNull().defaultNow(),
    updatedBy: doneBy("updated_by"),
    deletedAt: at("deleted_at"),
    deletedBy: doneBy("deleted_by"),
  },
  (table) => [
    // A name is unique among the live secrets of an environment; deleted ones wait beside them.
    uniqueIndex("secrets_live_name")
      .on(table.environmentId, table.name)
      .where(sql`${table.deletedAt} is null`),
    index("secrets_application").on(table.applicationId),
  ],
);

export const VERSION_ORIGINS = ["add", "edit", "rollback", "import", "copy"] as const;

export const secretVersions = pgTable(
  "secret_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    secretId: uuid("secret_id")
      .notNull()
      .references(() => secrets.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    ciphertext: bytea("ciphertext").notNull(),
    nonce: bytea("nonce").notNull(),
    wrappedKey: bytea("wrapped_key").notNull(),
    keyId: text("key_id").notNull(),
    origin: text("origin", { enum: VERSION_ORIGINS }).notNull(),
    createdAt: createdAt(),
    createdBy: doneBy("created_by"),
  },
  (table) => [
    unique().on(table.secretId, table.version),
    index("secret_versions_key").on(table.keyId),
  ],
);

/**
 * Pasted .env text between its preview and its apply, sealed like a value (the text holds
 * values, so it may not travel back through the browser). Rows expire after an hour.
 */
export const pendingImports = pgTable("pending_imports", {
  id: uuid("id").primaryKey().defaultRandom(),
  ...belongsToEnvironment(),
  createdBy: uuid("created_by")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  ciphertext: bytea("ciphertext").notNull(),
  nonce: bytea("nonce").notNull(),
  wrappedKey: bytea("wrapped_key").notNull(),
  keyId: text("key_id").notNull(),
  createdAt: createdAt(),
  expiresAt: at("expires_at").notNull(),
});
