// A database of its own for one test file, copied from the migrated one of global-setup.ts.

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import postgres from "postgres";
import { inject } from "vitest";
import { type Database, openEmbedded, openPostgres } from "../../src/core/db/client.ts";
import { withDatabase } from "./global-setup.ts";

let embeddedDump: Blob | undefined;

export interface TestDatabase extends Database {
  /** The server URL of this database, for a console process to share it (PostgreSQL only). */
  url?: string;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const source = inject("testDatabase");

  if (source.kind === "embedded") {
    embeddedDump ??= new Blob([readFileSync(source.dumpPath)]);
    return openEmbedded({ dump: embeddedDump });
  }

  const name = `${source.prefix}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(source.serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name} template ${source.template}`);
  } finally {
    await admin.end();
  }

  const url = withDatabase(source.serverUrl, name);
  const database = await openPostgres(url);
  return {
    ...database,
    url,
    async close() {
      await database.close();
      const dropper = postgres(source.serverUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}
