// The audit log: one row per change, written in the change's own transaction. Names are copied
// into the row so the log still reads after an environment or a person is gone. Never a value.

import { index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { users } from "../accounts/tables.ts";
import { applications } from "../applications/tables.ts";
import { createdAt } from "../core/db/types.ts";

export const auditEvents = pgTable(
  "audit_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id").references(() => applications.id, {
      onDelete: "cascade",
    }),
    actorId: uuid("actor_id").references(() => users.id, { onDelete: "set null" }),
    actorName: text("actor_name").notNull(),
    action: text("action").notNull(),
    environmentId: uuid("environment_id"),
    environmentName: text("environment_name"),
    secretName: text("secret_name"),
    version: integer("version"),
    detail: jsonb("detail").$type<Record<string, string | number | boolean | null>>(),
    createdAt: createdAt(),
  },
  (table) => [index("audit_events_application").on(table.applicationId, table.createdAt)],
);
