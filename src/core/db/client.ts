// Opens the console's database: PGlite (embedded PostgreSQL) in the data directory when no
// DATABASE_URL is set, a PostgreSQL server through postgres.js when it is. Both give the same
// drizzle API, so every query in the code base is written once.

import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { StartupError } from "../errors.ts";
import * as schema from "./schema.ts";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Queries that may run inside or outside a transaction take this. */
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  kind: "embedded" | "postgres";
  /** Rows of a raw SQL statement; the drivers shape `execute()` results differently. */
  rows<T>(query: Parameters<Db["execute"]>[0]): Promise<T[]>;
  /**
   * Runs `work` while no other process runs work under the same lock number (a PostgreSQL
   * advisory lock; the embedded database has one process and needs none).
   */
  exclusively<T>(lock: number, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Opens PGlite on a folder, or in memory: empty, or from a dump of another instance (the tests
 * start from a migrated one).
 */
export async function openEmbedded(
  source: { dataDir: string } | { dump?: Blob },
): Promise<Database> {
  const client =
    "dataDir" in source
      ? await PGlite.create({ dataDir: source.dataDir })
      : await PGlite.create({ loadDataDir: source.dump });
  const db = drizzlePglite({ client, schema }) as unknown as Db;

  return {
    db,
    kind: "embedded",
    rows: async <T>(query: Parameters<Db["execute"]>[0]) =>
      ((await db.execute(query)) as unknown as { rows: T[] }).rows,
    exclusively: (_lock, work) => work(),
    close: () => client.close(),
  };
}

/** Connects to a PostgreSQL server and proves it answers, so a bad URL fails at start. */
export async function openPostgres(url: string, options: { max?: number } = {}): Promise<Database> {
  const client = postgres(url, {
    // At least two: exclusively() holds one connection while its work uses another.
    max: Math.max(options.max ?? 10, 2),
    connect_timeout: 5,
    onnotice: () => {},
  });

  try {
    await client`select 1`;
  } catch (error) {
    await client.end({ timeout: 1 }).catch(() => {});
    throw new StartupError(describeConnectionFailure(url, error));
  }

  const db = drizzlePostgres({ client, schema }) as unknown as Db;

  return {
    db,
    kind: "postgres",
    rows: async <T>(query: Parameters<Db["execute"]>[0]) =>
      (await db.execute(query)) as unknown as T[],
    exclusively: async (lock, work) => {
      // The lock lives on one reserved connection; the work runs on the rest of the pool.
      const connection = await client.reserve();
      try {
        await connection`select pg_advisory_lock(${lock})`;
        return await work();
      } finally {
        await connection`select pg_advisory_unlock(${lock})`.catch(() => {});
        connection.release();
      }
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/** One sentence on why the server could not be reached; never the password in the URL. */
function describeConnectionFailure(url: string, error: unknown): string {
  let where = "the server in DATABASE_URL";
  try {
    const parsed = new URL(url);
    where = `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    // An unparsable URL still gets the generic wording above.
  }

  const code = (error as { code?: string }).code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: "the connection was refused",
    ENOTFOUND: "the host name is unknown",
    EAI_AGAIN: "the host name could not be looked up",
    ETIMEDOUT: "the connection timed out",
    CONNECT_TIMEOUT: "the connection timed out",
    "28P01": "the password was refused",
    "28000": "the user is not allowed to connect",
    "3D000": "the database does not exist",
  };
  const reason = (code && reasons[code]) ?? "the connection failed";
  return (
    `Cannot use the PostgreSQL database at ${where}: ${reason}; start the server or fix ` +
    "DATABASE_URL (unset it to use the embedded database)."
  );
}
