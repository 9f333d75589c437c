// Applies the SQL migrations in drizzle/ and tells whether a database is up to date with them.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { Database } from "./client.ts";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../../drizzle", import.meta.url));

/** Any fixed number: it names the advisory lock that keeps two processes from migrating at once. */
const MIGRATION_LOCK = 7_240_311;

export async function migrate(database: Database): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };

  if (database.kind === "embedded") {
    // PGlite is owned by this process alone (see lock.ts): nobody can race it.
    await migratePglite(database.db as never, config);
    return;
  }

  // Several console processes may start together on one server; each waits for the first.
  await database.exclusively(MIGRATION_LOCK, () => migratePostgres(database.db as never, config));
}

/** The creation time of the newest migration on disk, as drizzle records it when applied. */
function newestMigrationMillis(): number {
  const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, "utf8")) as {
    entries: { when: number }[];
  };
  return Math.max(...journal.entries.map((entry) => entry.when));
}

export async function migrationsAreCurrent(database: Database): Promise<boolean> {
  const [row] = await database.rows<{ newest: string | number | null }>(
    sql`select max(created_at) as newest from drizzle.__drizzle_migrations`,
  );
  return Number(row?.newest ?? 0) >= newestMigrationMillis();
}
