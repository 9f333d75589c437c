// Reads every row of every table of the console's database, for tests that must show that a
// request changed nothing, or that a value appears nowhere in the stored data.

import { sql } from "drizzle-orm";
import type { Database } from "../../src/core/db/client.ts";

export interface TableDump {
  [table: string]: Record<string, unknown>[];
}

export async function dumpTables(database: Database): Promise<TableDump> {
  const tables = await database.rows<{ schema: string; name: string }>(sql`
    select table_schema as schema, table_name as name from information_schema.tables
    where table_schema in ('public', 'drizzle') and table_type = 'BASE TABLE'
    order by 1, 2`);

  const dump: TableDump = {};
  for (const { schema, name } of tables) {
    const rows = await database.rows<Record<string, unknown>>(
      sql.raw(`select * from "${schema}"."${name}" order by 1`),
    );
    dump[`${schema}.${name}`] = rows.map(normalizeRow);
  }
  return dump;
}

/** The same bytes compare equal whichever driver returned them (Buffer or Uint8Array). */
function normalizeRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (value instanceof Uint8Array) out[key] = { bytes: Buffer.from(value).toString("hex") };
    else if (value instanceof Date) out[key] = value.toISOString();
    else out[key] = value;
  }
  return out;
}

/**
 * Every way a value could sit in a dump: the dump's text with bytes as hex and as base64, and
 * the raw bytes themselves.
 */
export function dumpContains(dump: TableDump, canary: string): boolean {
  const text = JSON.stringify(dump);
  const raw = Buffer.from(canary, "utf8");
  const needles = [canary, raw.toString("hex"), raw.toString("base64"), raw.toString("base64url")];
  if (needles.some((needle) => text.includes(needle))) return true;

  for (const rows of Object.values(dump)) {
    for (const row of rows) {
      for (const value of Object.values(row)) {
        const bytes = (value as { bytes?: string } | null)?.bytes;
        if (bytes === undefined) continue;
        const buffer = Buffer.from(bytes, "hex");
        const asBase64 = buffer.toString("base64");
        if (buffer.includes(raw) || needles.some((needle) => asBase64.includes(needle))) {
          return true;
        }
      }
    }
  }
  return false;
}
