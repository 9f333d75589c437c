// What the server and every CLI command do before their own work: take the data directory
// (embedded only), open the database, bring its schema up to date, and load the master keys.

import path from "node:path";
import { initCrypto } from "../crypto/envelope.ts";
import type { Keyring } from "../crypto/keyring.ts";
import { loadKeyring, usesEmbeddedKeyFile } from "../keys/keyring-source.ts";
import { verifyKeyring } from "../keys/verify.ts";
import type { Config } from "./config.ts";
import { type Database, openEmbedded, openPostgres } from "./db/client.ts";
import { type DataDirLock, lockDataDir } from "./db/lock.ts";
import { migrate } from "./db/migrate.ts";
import { StartupError } from "./errors.ts";
import type { Logger } from "./logger.ts";

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

export interface OpenedConsole extends OpenedDatabase {
  keyring: Keyring;
}

/**
 * Everything the server needs before it serves: the database, and a keyring proven to open
 * what the database holds. A missing or wrong key stops here, before any read of a value.
 */
export async function openConsole(
  config: Config,
  logger: Logger,
  command: string,
): Promise<OpenedConsole> {
  await initCrypto();

  // Keys from the environment are checked before the database is touched; the embedded key
  // file lives in the data directory, so it waits for the directory's lock.
  const configured = usesEmbeddedKeyFile(config) ? undefined : await loadKeyring(config, logger);
  const opened = await openConsoleDatabase(config, command);

  try {
    const keyring = configured ?? (await loadKeyring(config, logger));
    await verifyKeyring(opened.database, keyring);
    return { ...opened, keyring };
  } catch (error) {
    await opened.close().catch(() => {});
    throw error;
  }
}
