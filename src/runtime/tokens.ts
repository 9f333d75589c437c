// Runtime tokens: what one looks like, how it is made and stored (only its SHA-256 hash), and
// the owner's changes to them (create, revoke), each audited in its own transaction.

import { createHash, randomBytes } from "node:crypto";
import { and, asc, desc, eq, isNull } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { users } from "../accounts/tables.ts";
import type { ApplicationSummary, EnvironmentSummary } from "../applications/access.ts";
import { type Actor, recordAudit } from "../audit/record.ts";
import type { DbOrTx } from "../core/db/client.ts";
import { BadRequestError, NotFoundError } from "../core/errors.ts";
import { environments } from "../environments/tables.ts";
import { runtimeTokens } from "./tables.ts";

/** Leak scanners look for this prefix; the rest is 32 random bytes, base64url (256 bits). */
export const RUNTIME_TOKEN_PREFIX = "scrt_";
export const RUNTIME_TOKEN_PATTERN = /^scrt_[A-Za-z0-9_-]{43}$/;

/** How much of a token the list shows, so owners can tell tokens apart: the prefix and 4. */
const HINT_LENGTH = RUNTIME_TOKEN_PREFIX.length + 4;

export const LABEL_MAX_LENGTH = 80;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class RuntimeTokenNotFoundError extends NotFoundError {
  constructor() {
    super("There is no such runtime token in this application.");
  }
}

export function hashRuntimeToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function generateRuntimeToken(): { token: string; hash: string; hint: string } {
  const token = `${RUNTIME_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { token, hash: hashRuntimeToken(token), hint: token.slice(0, HINT_LENGTH) };
}

/** What is wrong with a label an owner typed, or null. */
export function labelProblem(label: string): string | null {
  if (label === "") return "Enter a label, such as the server or service that will use it.";
  if (label.length > LABEL_MAX_LENGTH)
    return `Keep the label within ${LABEL_MAX_LENGTH} characters.`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are refused
  if (/[\u0000-\u001f\u007f]/.test(label)) return "Use a label without control characters.";
  return null;
}

export interface CreatedRuntimeToken {
  id: string;
  /** The full token: exists only in this result, for the one response that shows it. */
  token: string;
  hint: string;
  label: string;
  environment: EnvironmentSummary;
}

/** Creates a token for one environment of the application; bad input throws BadRequestError. */
export async function createRuntimeToken(
  db: DbOrTx,
  actor: Actor,
  application: ApplicationSummary,
  environment: EnvironmentSummary | undefined,
  typedLabel: string,
): Promise<CreatedRuntimeToken> {
  const label = typedLabel.trim();
  const errors: Record<string, string> = {};
  const problem = labelProblem(label);
  if (problem) errors.label = problem;
  if (!environment) errors.environment = "Choose the environment the token reads.";
  if (problem || !environment) throw new BadRequestError("Check the highlighted fields.", errors);

  const { token, hash, hint } = generateRuntimeToken();
  const id = await db.transaction(async (tx) => {
    const [created] = await tx
      .insert(runtimeTokens)
      .values({
        applicationId: application.id,
        environmentId: environment.id,
        label,
        tokenHash: hash,
        hint,
        createdBy: actor.id,
      })
      .returning({ id: runtimeTokens.id });
    await recordAudit(tx, actor, {
      applicationId: application.id,
      action: "runtime_token.create",
      environment,
      detail: { label, hint },
    });
    return created!.id;
  });
  return { id, token, hint, label, environment };
}

export interface RevokedRuntimeToken {
  label: string;
  /** False when the token had already been revoked; nothing changed then. */
  changed: boolean;
}

/** Revokes a token of this application; another application's token id is unknown here. */
export async function revokeRuntimeToken(
  db: DbOrTx,
  actor: Actor,
  application: ApplicationSummary,
  tokenId: string,
): Promise<RevokedRuntimeToken> {
  if (!UUID_PATTERN.test(tokenId)) throw new RuntimeTokenNotFoundError();

  return db.transaction(async (tx) => {
    const [token] = await tx
      .select({
        label: runtimeTokens.label,
        hint: runtimeTokens.hint,
        revokedAt: runtimeTokens.revokedAt,
        environmentId: environments.id,
        environmentName: environments.name,
      })
      .from(runtimeTokens)
      .innerJoin(environments, eq(environments.id, runtimeTokens.environmentId))
      .where(and(eq(runtimeTokens.id, tokenId), eq(runtimeTokens.applicationId, application.id)))
      .for("update", { of: runtimeTokens });
    if (!token) throw new RuntimeTokenNotFoundError();
    if (token.revokedAt) return { label: token.label, changed: false };

    await tx
      .update(runtimeTokens)
      .set({ revokedAt: new Date(), revokedBy: actor.id })
      .where(and(eq(runtimeTokens.id, tokenId), isNull(runtimeTokens.revokedAt)));
    await recordAudit(tx, actor, {
      applicationId: application.id,
      action: "runtime_token.revoke",
      environment: { id: token.environmentId, name: token.environmentName },
      detail: { label: token.label, hint: token.hint },
    });
    return { label: token.label, changed: true };
  });
}

export interface ListedRuntimeToken {
  id: string;
  label: string;
  hint: string;
  environmentName: string;
  createdAt: Date;
  createdBy: string | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
}

/** The application's tokens, live ones first, newest first within each group. */
export async function listRuntimeTokens(
  db: DbOrTx,
  applicationId: string,
): Promise<ListedRuntimeToken[]> {
  const creator = alias(users, "creator");
  const revoker = alias(users, "revoker");
  const rows = await db
    .select({
      id: runtimeTokens.id,
      label: runtimeTokens.label,
      hint: runtimeTokens.hint,
      environmentName: environments.name,
      createdAt: runtimeTokens.createdAt,
      createdBy: creator.name,
      lastUsedAt: runtimeTokens.lastUsedAt,
      revokedAt: runtimeTokens.revokedAt,
      revokedBy: revoker.name,
    })
    .from(runtimeTokens)
    .innerJoin(environments, eq(environments.id, runtimeTokens.environmentId))
    .leftJoin(creator, eq(creator.id, runtimeTokens.createdBy))
    .leftJoin(revoker, eq(revoker.id, runtimeTokens.revokedBy))
    .where(eq(runtimeTokens.applicationId, applicationId))
    .orderBy(desc(runtimeTokens.createdAt), asc(runtimeTokens.label));
  return [...rows.filter((row) => !row.revokedAt), ...rows.filter((row) => row.revokedAt)];
}
