// The first owner of a new console: a one-time setup link printed at start while no account
// exists, or the create-owner command. Both go through createFirstOwner, which takes a lock so
// two of them racing still make one first account.

import { and, eq, gt, isNull, ne, sql } from "drizzle-orm";
import type { Database } from "../core/db/client.ts";
import { BadRequestError, ConflictError, NotFoundError } from "../core/errors.ts";
import type { PasswordHasher } from "./passwords.ts";
import { setupTokens } from "./tables.ts";
import { hashToken, randomToken } from "./tokens.ts";
import {
  anyUserExists,
  emailProblem,
  insertUser,
  nameProblem,
  normalizeEmail,
  passwordProblem,
  type UserRow,
} from "./users.ts";

export const SETUP_LINK_SECONDS = 24 * 60 * 60;

/** Any fixed number: it names the advisory lock taken while the first account is made. */
const FIRST_OWNER_LOCK = 7_240_312;

export class FirstOwnerExistsError extends ConflictError {
  constructor() {
    super(
      "The console already has an account. Sign in, and invite people from an " +
        "application's Members tab.",
    );
  }
}

export class SetupLinkInvalidError extends NotFoundError {
  constructor() {
    super(
      "This setup link has been used or has expired. Restart the console while it has no " +
        "account to print a new one, or run npm run cli -- create-owner.",
    );
  }
}

export interface OwnerInput {
  email: string;
  name: string;
  password: string;
}

/** Problems with a new account's fields, by field name; empty when all is well. */
export function ownerInputProblems(input: OwnerInput): Record<string, string> {
  const problems: Record<string, string> = {};
  const email = emailProblem(normalizeEmail(input.email));
  const name = nameProblem(input.name.trim());
  const password = passwordProblem(input.password);
  if (name) problems.name = name;
  if (email) problems.email = email;
  if (password) problems.password = password;
  return problems;
}

/**
 * While no account exists, makes a setup token valid for 24 hours and returns the link that
 * uses it; otherwise null. Earlier links stay valid, so two processes starting together each
 * print a link that works until the first owner exists.
 */
export async function setupLinkIfNoAccount(
  database: Database,
  publicUrl: string,
): Promise<string | null> {
  if (await anyUserExists(database.db)) return null;

  const token = randomToken();
  await database.db.insert(setupTokens).values({
    tokenHash: hashToken(token),
    expiresAt: sql`now() + make_interval(secs => ${SETUP_LINK_SECONDS})`,
  });
  return `${publicUrl}/setup?token=${token}`;
}

/** Whether a setup link may still be used: unused, unexpired, and no account yet. */
export async function setupTokenIsUsable(database: Database, token: string): Promise<boolean> {
  if (token === "" || (await anyUserExists(database.db))) return false;

  const [row] = await database.db
    .select({ tokenHash: setupTokens.tokenHash })
    .from(setupTokens)
    .where(usable(hashToken(token)));
  return row !== undefined;
}

/**
 * Creates the first account. With a setup token, the token is spent in the same transaction;
 * without one (the create-owner command), the operator's access to the server is the proof.
 */
export async function createFirstOwner(
  database: Database,
  passwords: PasswordHasher,
  input: OwnerInput,
  setupToken?: string,
): Promise<UserRow> {
  const problems = ownerInputProblems(input);
  if (Object.keys(problems).length > 0) {
    throw new BadRequestError("Check the highlighted fields.", problems);
  }

  const passwordHash = await passwords.hash(input.password);

  return database.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_OWNER_LOCK})`);
    if (await anyUserExists(tx)) {
      throw setupToken === undefined ? new FirstOwnerExistsError() : new SetupLinkInvalidError();
    }

    if (setupToken !== undefined) {
      const tokenHash = hashToken(setupToken);
      const spent = await tx
        .update(setupTokens)
        .set({ usedAt: sql`now()` })
        .where(usable(tokenHash))
        .returning({ tokenHash: setupTokens.tokenHash });
      if (spent.length === 0) throw new SetupLinkInvalidError();
    }

    // Every other link printed so far dies with the first account.
    await tx
      .delete(setupTokens)
      .where(
        setupToken === undefined ? sql`true` : ne(setupTokens.tokenHash, hashToken(setupToken)),
      );

    return insertUser(tx, {
      email: normalizeEmail(input.email),
      name: input.name.trim(),
      passwordHash,
    });
  });
}

function usable(tokenHash: string) {
  return and(
    eq(setupTokens.tokenHash, tokenHash),
    isNull(setupTokens.usedAt),
    gt(setupTokens.expiresAt, sql`now()`),
  );
}

/**
 * At start, while no account exists, prints the setup link to standard output: printed rather
 * than logged, because the log's redaction would hide the token the operator needs.
 */
export async function announceSetupLink(
  database: Database,
  publicUrl: string,
  port: number,
  write: (text: string) => void = (text) => void process.stdout.write(text),
): Promise<void> {
  // With PORT=0 and no PUBLIC_URL, the configured address names port 0; use the real one.
  const base = publicUrl.replace(/:0$/, `:${port}`);
  const link = await setupLinkIfNoAccount(database, base);
  if (!link) return;
  write(
    `No account exists yet. Create the first owner at ${link}\n` +
      "(the link works once, for 24 hours; or run npm run cli -- create-owner).\n",
  );
}
