// Who works on an application and with which role. Owners change roles and remove members;
// an application never loses its last owner. Changes are audited in their transaction, and
// each takes a lock on the application's row so two owners demoting each other at the same
// moment cannot both succeed.

import { and, asc, count, eq, sql } from "drizzle-orm";
import type { SignedInUser } from "../accounts/sessions.ts";
import { users } from "../accounts/tables.ts";
import { actorOf } from "../accounts/users.ts";
import { recordAudit } from "../audit/record.ts";
import type { Database, Tx } from "../core/db/client.ts";
import { ConflictError, NotFoundError } from "../core/errors.ts";
import type { ApplicationSummary } from "./access.ts";
import { ROLE_RANK, type Role } from "./roles.ts";
import { applications, memberships } from "./tables.ts";

export interface Member {
  userId: string;
  name: string;
  email: string;
  role: Role;
}

export class LastOwnerError extends ConflictError {
  constructor() {
    super(
      "An application always keeps at least one owner. Make another member an owner " +
        "first, then change this one.",
    );
  }
}

export class NotAMemberError extends NotFoundError {
  constructor() {
    super("That person is not a member of this application.");
  }
}

/** Owners first, then editors, then viewers; by name within a role. */
export async function listMembers(database: Database, applicationId: string): Promise<Member[]> {
  const rows = await database.db
    .select({
      userId: memberships.userId,
      name: users.name,
      email: users.email,
      role: memberships.role,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.applicationId, applicationId))
    .orderBy(asc(users.name), asc(users.email));
  return rows.sort((a, b) => ROLE_RANK[b.role] - ROLE_RANK[a.role]);
}

export async function changeRole(
  database: Database,
  actor: SignedInUser,
  application: ApplicationSummary,
  userId: string,
  role: Role,
): Promise<{ member: Member; from: Role }> {
  return database.db.transaction(async (tx) => {
    const member = await lockedMember(tx, application.id, userId);
    const from = member.role;
    if (from === role) return { member, from };

    if (from === "owner") await assertAnotherOwner(tx, application.id);
    await tx
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.applicationId, application.id), eq(memberships.userId, userId)));
    await recordAudit(tx, actorOf(actor), {
      applicationId: application.id,
      action: "member.role",
      detail: { member: `${member.name} <${member.email}>`, from, to: role },
    });
    return { member: { ...member, role }, from };
  });
}

export async function removeMember(
  database: Database,
  actor: SignedInUser,
  application: ApplicationSummary,
  userId: string,
): Promise<Member> {
  return database.db.transaction(async (tx) => {
    const member = await lockedMember(tx, application.id, userId);
    if (member.role === "owner") await assertAnotherOwner(tx, application.id);

    await tx
      .delete(memberships)
      .where(and(eq(memberships.applicationId, application.id), eq(memberships.userId, userId)));
    await recordAudit(tx, actorOf(actor), {
      applicationId: application.id,
      action: "member.remove",
      detail: { member: `${member.name} <${member.email}>`, role: member.role },
    });
    return member;
  });
}

/** Locks the application's row for the transaction, then reads the member. */
async function lockedMember(tx: Tx, applicationId: string, userId: string): Promise<Member> {
  await tx.execute(sql`select 1 from ${applications} where ${applications.id} = ${applicationId}
    for update`);

  const [member] = await tx
    .select({
      userId: memberships.userId,
      name: users.name,
      email: users.email,
      role: memberships.role,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.applicationId, applicationId), eq(memberships.userId, userId)));
  if (!member) throw new NotAMemberError();
  return member;
}

async function assertAnotherOwner(tx: Tx, applicationId: string): Promise<void> {
  const [row] = await tx
    .select({ owners: count() })
    .from(memberships)
    .where(and(eq(memberships.applicationId, applicationId), eq(memberships.role, "owner")));
  if (Number(row?.owners ?? 0) < 2) throw new LastOwnerError();
}
