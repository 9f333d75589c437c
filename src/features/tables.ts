// Features of an application: parts of it that read secrets, declared per environment either by
// the application's code (through the runtime API) or by an owner in the console.

import { jsonb, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { users } from "../accounts/tables.ts";
import { applications } from "../applications/tables.ts";
import { at, createdAt } from "../core/db/types.ts";
import { environments } from "../environments/tables.ts";

export const FEATURE_SOURCES = ["runtime", "console"] as const;

export const features = pgTable(
  "features",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => applications.id, { onDelete: "cascade" }),
    environmentId: uuid("environment_id")
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    name: text("name").notNull(),
    secrets: jsonb("secrets").$type<string[]>().notNull(),
    source: text("source", { enum: FEATURE_SOURCES }).notNull(),
    createdAt: createdAt(),
    updatedAt: at("updated_at").notNull().defaultNow(),
    updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
  },
  (table) => [unique().on(table.environmentId, table.key, table.source)],
);
