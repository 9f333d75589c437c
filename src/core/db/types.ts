// Column types shared by every capability's tables.

import { customType, timestamp } from "drizzle-orm/pg-core";

/**
 * Binary columns. postgres.js returns a Buffer and PGlite a plain Uint8Array; callers only rely
 * on Uint8Array, which both are.
 */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
  toDriver: (value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
  fromDriver: (value) => value,
});

export const createdAt = () =>
  timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

export const at = (name: string) => timestamp(name, { withTimezone: true });
