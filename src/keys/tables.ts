// Which master keys have wrapped data keys here, recorded by id and check value only, so a start
// with a missing or wrong key is refused before anything is read or written.

import { pgTable, text } from "drizzle-orm/pg-core";
import { bytea, createdAt } from "../core/db/types.ts";

export const masterKeys = pgTable("master_keys", {
  keyId: text("key_id").primaryKey(),
  checkValue: bytea("check_value").notNull(),
  createdAt: createdAt(),
});
