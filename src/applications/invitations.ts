// Invitations: an owner names an email and a role, and gets a one-time link to hand over (the
// console assumes no mail server). Only the link's hash is stored; it works for 7 days, once,
// and only for a person signed in with the invited email.

import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import type { SignedInUser } from "../accounts/sessions.ts";
import { users } from "../accounts/tables.ts";
import { hashToken, randomToken } from "../accounts/tokens.ts";
import { actorOf, emailProblem, normalizeEmail } from "../accounts/users.ts";
import { recordAudit } from "../audit/record.ts";
import type { DbOrTx, Tx } from "../core/db/client.ts";
import { BadRequestError, ForbiddenError, NotFoundError } from "../core/errors.ts";
import type { ApplicationSummary } from "./access.ts";
import { parseRole, type Role } from "./roles.ts";
import { applications, invitations, memberships } from "./tables.ts";

export const INVITATION_SECONDS = 7 * 24 * 60 * 60;

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class InvitationInvalidError extends NotFoundError {
  constructor() {
    super(
      "This invitation link has been used, withdrawn or has expired. Ask an owner of the " +
        "application for a new one.",
    );
  }
}

export class InvitationForSomeoneElseError extends ForbiddenError {
  constructor(invited: string, signedInAs: string) {
    super(
      `This invitation is for ${invited}, and you are signed in as ${signedInAs}. Sign out, ` +
        "then open the link again.",
    );
  }
}

export interface PendingInvitation {
  id: string;
  email: string;
  role: Role;
  expiresAt: Date;
}

/** An invitation found by its link, with the application it opens. */
export interface OpenInvitation {
  id: string;
  email: string;
  role: Role;
  application: ApplicationSummary;
}

export async function listPendingInvitations(
  db: DbOrTx,
  applicationId: string,
): Promise<PendingInvitation[]> {
  return db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      expiresAt: invitations.expiresAt,
    })
    .from(invitations)
    .where(and(eq(invitations.applicationId, applicationId), pending()))
    .orderBy(asc(invitations.email));
}

/**
 * Invites an email with a role and returns the link's token, which exists nowhere else:
 * the caller shows it once. A new invitation for the same email replaces the pending one.
 */
export async function inviteMember(
  db: DbOrTx,
  actor: SignedInUser,
  application: ApplicationSummary,
  input: { email: string; role: string },
): Promise<{ token: string; email: string; role: Role }> {
  const email = normalizeEmail(input.email);
  const role = parseRole(input.role);
  const errors: Record<string, string> = {};
  const emailError = emailProblem(email);
  if (emailError) errors.email = emailError;
  if (!role) errors.role = "Choose Owner, Editor or Viewer.";
  if (!role || emailError) throw new BadRequestError("Check the highlighted fields.", errors);

  const token = randomToken();
  await db.transaction(async (tx) => {
    if (await isMember(tx, application.id, email)) {
      throw new BadRequestError("Check the highlighted fields.", {
        email: `${email} is already a member of ${application.name}.`,
      });
    }

    await tx
      .delete(invitations)
      .where(
        and(
          eq(invitations.applicationId, application.id),
          eq(invitations.email, email),
          isNull(invitations.acceptedAt),
        ),
      );
    await tx.insert(invitations).values({
      applicationId: application.id,
      email,
      role,
      tokenHash: hashToken(token),
      invitedBy: actor.id,
      expiresAt: sql`now() + make_interval(secs => ${INVITATION_SECONDS})`,
    });
    await recordAudit(tx, actorOf(actor), {
      applicationId: application.id,
      action: "member.invite",
      detail: { email, role },
    });
  });
  return { token, email, role };
}

/** Withdraws a pending invitation of this application; another application's id is unknown. */
export async function revokeInvitation(
  db: DbOrTx,
  actor: SignedInUser,
  application: ApplicationSummary,
  invitationId: string,
): Promise<void> {
  if (!UUID_PATTERN.test(invitationId)) throw new InvitationInvalidError();

  await db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(invitations)
      .where(
        and(
          eq(invitations.id, invitationId),
          eq(invitations.applicationId, application.id),
          isNull(invitations.acceptedAt),
        ),
      )
      .returning({ email: invitations.email, role: invitations.role });
    if (!removed) throw new InvitationInvalidError();

    await recordAudit(tx, actorOf(actor), {
      applicationId: application.id,
      action: "member.invitation_withdraw",
      detail: { email: removed.email, role: removed.role },
    });
  });
}

/** The pending, unexpired invitation behind a link, or null. */
export async function findInvitation(db: DbOrTx, token: string): Promise<OpenInvitation | null> {
  if (token === "") return null;

  const [row] = await db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      application: { id: applications.id, slug: applications.slug, name: applications.name },
    })
    .from(invitations)
    .innerJoin(applications, eq(applications.id, invitations.applicationId))
    .where(and(eq(invitations.tokenHash, hashToken(token)), pending()));
  return row ?? null;
}

/**
 * Spends the link and makes `user` a member with the invited role. Run in the caller's
 * transaction, so an account created for the invitation commits with it or not at all.
 */
export async function acceptInvitation(
  tx: Tx,
  token: string,
  user: SignedInUser,
): Promise<{ application: ApplicationSummary; role: Role; alreadyMember: boolean }> {
  const invitation = await findInvitation(tx, token);
  if (!invitation) throw new InvitationInvalidError();
  if (invitation.email !== normalizeEmail(user.email)) {
    throw new InvitationForSomeoneElseError(invitation.email, user.email);
  }

  const spent = await tx
    .update(invitations)
    .set({ acceptedAt: sql`now()` })
    .where(and(eq(invitations.id, invitation.id), pending()))
    .returning({ id: invitations.id });
  if (spent.length === 0) throw new InvitationInvalidError();

  const added = await tx
    .insert(memberships)
    .values({ applicationId: invitation.application.id, userId: user.id, role: invitation.role })
    .onConflictDoNothing()
    .returning({ role: memberships.role });
  if (added.length > 0) {
    await recordAudit(tx, actorOf(user), {
      applicationId: invitation.application.id,
      action: "member.join",
      detail: { member: `${user.name} <${user.email}>`, role: invitation.role },
    });
  }
  return {
    application: invitation.application,
    role: invitation.role,
    alreadyMember: added.length === 0,
  };
}

function pending() {
  return and(isNull(invitations.acceptedAt), gt(invitations.expiresAt, sql`now()`));
}

async function isMember(tx: Tx, applicationId: string, email: string): Promise<boolean> {
  const [row] = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.applicationId, applicationId), eq(users.email, email)));
  return row !== undefined;
}
