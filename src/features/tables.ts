// Features of an application: parts of it that read secrets, declared per environment either by
// the application's code (through the runtime API) or by an owner in the console.

import { jsonb, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { doneBy } from "../accounts/tables.ts";
import { at, createdAt } from "../core/db/types.ts";
import { belongsToEnvironment } from "../environments/tables.ts";

export const FEATURE_SOURCES = ["runtime", "console"] as const;

export const features = pgTable(
  "features",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ...belongsToEnvironment(),
    key: text("key").notNull(),
    name: text("name").notNull(),
    secrets: jsonb("secrets").$type<string[]>().notNull(),
    source: text("source", { enum: FEATURE_SOURCES }).notNull(),
    createdAt: createdAt(),
    updatedAt: at("updated_at").notNull().defaultNow(),
    updatedBy: doneBy("updated_by"),
  },
  (table) => [unique().on(table.environmentId, table.key, table.source)],
);
