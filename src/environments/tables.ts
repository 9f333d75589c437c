// Environments of an application (Preview, Production, ...). Secrets are kept per environment.

import { integer, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { applications } from "../applications/tables.ts";
import { createdAt } from "../core/db/types.ts";

export const environments = pgTable(
  "environments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => applications.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    position: integer("position").notNull().default(0),
    createdAt: createdAt(),
  },
  (table) => [unique().on(table.applicationId, table.slug)],
);

/**
 * The columns of a row that belongs to one environment of one application, and goes when
 * either does: secrets, runtime tokens, features, connection checks.
 */
export const belongsToEnvironment = () => ({
  applicationId: uuid("application_id")
    .notNull()
    .references(() => applications.id, { onDelete: "cascade" }),
  environmentId: uuid("environment_id")
    .notNull()
    .references(() => environments.id, { onDelete: "cascade" }),
});
