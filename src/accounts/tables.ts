// Tables of people and their sign-in state. Tokens and session ids are stored as hashes, so a
// copy of the database cannot be replayed as a live session or a setup link.

import { index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { at, createdAt } from "../core/db/types.ts";

export const users = pgTable("users", {
  id: uuid("id").primaryKey().defaultRandom(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  passwordHash: text("password_hash").notNull(),
  passwordChangedAt: at("password_changed_at").notNull().defaultNow(),
  createdAt: createdAt(),
});

export const sessions = pgTable(
  "sessions",
  {
    idHash: text("id_hash").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    csrfToken: text("csrf_token").notNull(),
    /** A message shown once on the next page, after a form's redirect. Never holds a value. */
    flash: jsonb("flash").$type<{ kind: "success" | "warning" | "error"; text: string }>(),
    createdAt: createdAt(),
    lastSeenAt: at("last_seen_at").notNull().defaultNow(),
    expiresAt: at("expires_at").notNull(),
  },
  // A password change ends every session of its user.
  (table) => [index("sessions_user").on(table.userId)],
);

/** Failed sign-ins per account and per address, shared by every console process. */
export const signInThrottles = pgTable("sign_in_throttles", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull().default(0),
  windowStartedAt: at("window_started_at").notNull().defaultNow(),
  blockedUntil: at("blocked_until"),
});

export const setupTokens = pgTable("setup_tokens", {
  tokenHash: text("token_hash").primaryKey(),
  createdAt: createdAt(),
  expiresAt: at("expires_at").notNull(),
  usedAt: at("used_at"),
});

/** A person who did something to a row; the row stays when the person's account goes. */
export const doneBy = (name: string) =>
  uuid(name).references(() => users.id, { onDelete: "set null" });
