// What the server and every CLI command do before their own work: take the data directory
// (embedded only), open the database and bring its schema up to date.

import path from "node:path";
import type { Config } from "./config.ts";
import { type Database, openEmbedded, openPostgres } from "./db/client.ts";
import { type DataDirLock, lockDataDir } from "./db/lock.ts";
import { migrate } from "./db/migrate.ts";
import { StartupError } from "./errors.ts";

export interface OpenedDatabase {
  database: Database;
  /** Closes the database, then gives the data directory back. */
  close(): Promise<void>;
}

export async function openConsoleDatabase(
  config: Config,
  command: string,
): Promise<OpenedDatabase> {
  let lock: DataDirLock | undefined;
  let database: Database;

  if (config.databaseUrl) {
    database = await openPostgres(config.databaseUrl);
  } else {
    // The lock comes first: a second process must not touch PGlite's files at all.
    lock = lockDataDir(config.dataDir, command);
    try {
      database = await openEmbedded({ dataDir: path.join(config.dataDir, "pglite") });
    } catch (error) {
      lock.release();
      throw new StartupError(
        `The embedded database in ${config.dataDir} cannot be opened ` +
          `(${(error as Error).message}); check the folder or restore it from a backup.`,
      );
    }
  }

  try {
    await migrate(database);
  } catch (error) {
    await database.close().catch(() => {});
    lock?.release();
    throw error;
  }

  return {
    database,
    async close() {
      await database.close();
      lock?.release();
    },
  };
}
