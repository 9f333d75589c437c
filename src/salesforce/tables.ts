// Connection checks as they ran: per environment, with who ran them, which secret versions they
// tested, and the result's steps. Results are built to be shown, so they hold no credential.

import { index, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { doneBy } from "../accounts/tables.ts";
import { at } from "../core/db/types.ts";
import { belongsToEnvironment } from "../environments/tables.ts";

export const CHECK_TRIGGERS = ["manual", "after-save", "unsaved-value"] as const;

export const connectionChecks = pgTable(
  "connection_checks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ...belongsToEnvironment(),
    ranBy: doneBy("ran_by"),
    ranByName: text("ran_by_name").notNull(),
    ranAt: at("ran_at").notNull().defaultNow(),
    status: text("status", { enum: ["pass", "warn", "fail"] }).notNull(),
    trigger: text("trigger", { enum: CHECK_TRIGGERS }).notNull(),
    /** The version of each Salesforce secret the check used; an unsaved value is recorded as 0. */
    versions: jsonb("versions").$type<Record<string, number>>().notNull(),
    result: jsonb("result").$type<unknown>().notNull(),
  },
  (table) => [index("connection_checks_environment").on(table.environmentId, table.ranAt)],
);
