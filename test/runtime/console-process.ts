// A real console process with data seeded before it starts, for the tests of the client and
// `run` against a running console. The database is the run's kind: an embedded data directory
// (seeded, closed, then handed to the process) or a database on the test PostgreSQL server.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { type Database, openEmbedded } from "../../src/core/db/client.ts";
import { migrate } from "../../src/core/db/migrate.ts";
import { initCrypto } from "../../src/crypto/envelope.ts";
import {
  createKeyring,
  formatKeyringEntry,
  generateMasterKey,
  type Keyring,
} from "../../src/crypto/keyring.ts";
import { verifyKeyring } from "../../src/keys/verify.ts";
import { createTestDatabase } from "../support/database.ts";
import { type ConsoleProcess, startConsole } from "../support/process.ts";

export interface SeededConsole<T> {
  server: ConsoleProcess;
  seeded: T;
  /** Runs `work` on the console's database; on the embedded one, only once the process ended. */
  withDatabase<R>(work: (database: Database) => Promise<R>): Promise<R>;
  /** Stops the process (SIGKILL unless it already ended) and removes its data. */
  dispose(): Promise<void>;
}

export async function startSeededConsole<T>(
  seed: (database: Database, keyring: Keyring) => Promise<T>,
): Promise<SeededConsole<T>> {
  await initCrypto();
  const key = generateMasterKey();
  const keyring = createKeyring([key]);
  const env = { SECRETS_MASTER_KEYS: formatKeyringEntry(key) };

  if (inject("testDatabase").kind === "postgres") {
    const database = await createTestDatabase();
    await verifyKeyring(database, keyring);
    const seeded = await seed(database, keyring);
    const server = await startConsole({ ...env, DATABASE_URL: database.url });
    return {
      server,
      seeded,
      withDatabase: (work) => work(database),
      async dispose() {
        await server.stop("SIGKILL");
        await database.close();
      },
    };
  }

  const dataDir = mkdtempSync(path.join(tmpdir(), "secrets-console-runtime-"));
  const pglite = path.join(dataDir, "pglite");
  const database = await openEmbedded({ dataDir: pglite });
  let seeded: T;
  try {
    await migrate(database);
    await verifyKeyring(database, keyring);
    seeded = await seed(database, keyring);
  } finally {
    await database.close();
  }

  const server = await startConsole({ ...env, DATA_DIR: dataDir });
  return {
    server,
    seeded,
    async withDatabase(work) {
      if (server.child.exitCode === null && server.child.signalCode === null) {
        throw new Error("the embedded database belongs to the running console");
      }
      const reopened = await openEmbedded({ dataDir: pglite });
      try {
        return await work(reopened);
      } finally {
        await reopened.close();
      }
    },
    async dispose() {
      await server.stop("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
