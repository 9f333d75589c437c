// The Members tab (list, invite, change role, remove, withdraw an invitation) and the page an
// invitation link opens, where the invited person joins, creating an account if needed.

import { type Request, type Response, Router } from "express";
import { field, queryParam } from "../accounts/forms.ts";
import { currentUser, ensurePreSessionToken, setFlash, startSession } from "../accounts/http.ts";
import type { PasswordHasher } from "../accounts/passwords.ts";
import {
  findUserByEmail,
  insertUser,
  nameProblem,
  PASSWORD_MIN_LENGTH,
  passwordProblem,
} from "../accounts/users.ts";
import type { Config } from "../core/config.ts";
import type { Database } from "../core/db/client.ts";
import { BadRequestError } from "../core/errors.ts";
import type { ApplicationContext, ApplicationRoutes } from "./access.ts";
import { isUniqueViolation } from "./applications.ts";
import {
  acceptInvitation,
  findInvitation,
  InvitationInvalidError,
  inviteMember,
  listPendingInvitations,
  revokeInvitation,
  UUID_PATTERN,
} from "./invitations.ts";
import {
  changeRole,
  LastOwnerError,
  listMembers,
  NotAMemberError,
  removeMember,
} from "./members.ts";
import { applicationHome } from "./navigation.ts";
import { parseRole, ROLE_LABELS, ROLES } from "./roles.ts";

export interface MemberRouteDeps {
  config: Config;
  database: Database;
  passwords: PasswordHasher;
}

interface MembersView {
  status?: number;
  values?: Record<string, string>;
  errors?: Record<string, string>;
  /** A problem with a change to an existing member, shown above the list. */
  problem?: string;
  /** The invitation link just made: shown on this response and never again. */
  invited?: { link: string; email: string; role: string };
}

export function memberRoutes(routes: ApplicationRoutes, deps: MemberRouteDeps): void {
  const { config, database } = deps;
  const base = (context: ApplicationContext) =>
    `/apps/${context.application.slug}/configuration/members`;

  async function render(res: Response, context: ApplicationContext, view: MembersView = {}) {
    const [members, invitations] = await Promise.all([
      listMembers(database, context.application.id),
      context.role === "owner"
        ? listPendingInvitations(database.db, context.application.id)
        : Promise.resolve([]),
    ]);
    res.status(view.status ?? 200).render("applications/members", {
      title: "Members",
      members,
      invitations,
      roles: ROLES,
      roleLabels: ROLE_LABELS,
      values: view.values ?? {},
      errors: view.errors ?? {},
      problem: view.problem ?? null,
      invited: view.invited ?? null,
    });
  }

  routes.get("/configuration/members", "viewer", (_req, res, context) => render(res, context));

  routes.post("/configuration/members/invitations", "owner", async (req, res, context) => {
    const values = { email: field(req.body, "email"), role: field(req.body, "role") };
    try {
      const invited = await inviteMember(database.db, context.user, context.application, values);
      const link = `${config.publicUrl}/invitations/accept?token=${invited.token}`;
      await render(res, context, {
        invited: { link, email: invited.email, role: ROLE_LABELS[invited.role] },
      });
    } catch (error) {
      if (!(error instanceof BadRequestError)) throw error;
      await render(res, context, { status: 400, values, errors: error.fields });
    }
  });

  routes.post(
    "/configuration/members/invitations/:invitationId/revoke",
    "owner",
    async (req, res, context) => {
      await revokeInvitation(
        database.db,
        context.user,
        context.application,
        param(req, "invitationId"),
      );
      await setFlash(res, "success", "The invitation is withdrawn; its link no longer works.");
      res.redirect(303, base(context));
    },
  );

  routes.post("/configuration/members/:userId/role", "owner", async (req, res, context) => {
    const userId = memberId(req);
    const role = parseRole(field(req.body, "role"));
    if (!role)
      throw new BadRequestError("Choose Owner, Editor or Viewer.", { role: "Choose a role." });

    try {
      const { member, from } = await changeRole(
        database,
        context.user,
        context.application,
        userId,
        role,
      );
      if (from !== role) {
        await setFlash(res, "success", `${member.name} is now ${ROLE_LABELS[role].toLowerCase()}.`);
      }
    } catch (error) {
      if (!(error instanceof LastOwnerError)) throw error;
      return render(res, context, { status: 409, problem: error.message });
    }
    // Someone who gave up their own ownership may no longer see owner pages.
    res.redirect(
      303,
      userId === context.user.id ? applicationHome(context.application.slug, role) : base(context),
    );
  });

  routes.post("/configuration/members/:userId/remove", "owner", async (req, res, context) => {
    const userId = memberId(req);
    try {
      const member = await removeMember(database, context.user, context.application, userId);
      const left = userId === context.user.id;
      await setFlash(
        res,
        "success",
        left ? `You left ${context.application.name}.` : `${member.name} is removed.`,
      );
      res.redirect(303, left ? "/" : base(context));
    } catch (error) {
      if (!(error instanceof LastOwnerError)) throw error;
      await render(res, context, { status: 409, problem: error.message });
    }
  });
}

/** The page an invitation link opens, and the form that accepts it. */
export function invitationRoutes(deps: MemberRouteDeps): Router {
  const { config, database, passwords } = deps;
  const router = Router();

  router.get("/invitations/accept", async (req, res) => {
    const token = queryParam(req.query, "token");
    const invitation = await findInvitation(database.db, token);
    if (!invitation) throw new InvitationInvalidError();

    ensurePreSessionToken(config, req, res);
    const user = req.signedIn?.user ?? null;
    const hasAccount = user
      ? true
      : (await findUserByEmail(database.db, invitation.email)) !== null;
    res.status(user && user.email !== invitation.email ? 403 : 200);
    renderInvitation(res, { token, invitation, hasAccount });
  });

  router.post("/invitations/accept", async (req, res) => {
    const token = queryParam(req.query, "token");

    if (req.signedIn) {
      const user = currentUser(req);
      const joined = await database.db.transaction((tx) => acceptInvitation(tx, token, user));
      const name = joined.application.name;
      await setFlash(
        res,
        "success",
        joined.alreadyMember
          ? `You were already a member of ${name}.`
          : `You joined ${name} as ${ROLE_LABELS[joined.role].toLowerCase()}.`,
      );
      return res.redirect(303, `/apps/${joined.application.slug}`);
    }

    // No session: the invited person creates their account here, for the invited email.
    const invitation = await findInvitation(database.db, token);
    if (!invitation) throw new InvitationInvalidError();
    const name = field(req.body, "name").trim();
    const password = field(req.body, "password");
    const errors: Record<string, string> = {};
    const nameError = nameProblem(name);
    const passwordError = passwordProblem(password);
    if (nameError) errors.name = nameError;
    if (passwordError) errors.password = passwordError;

    const existing = await findUserByEmail(database.db, invitation.email);
    if (existing || Object.keys(errors).length > 0) {
      ensurePreSessionToken(config, req, res);
      res.status(existing ? 409 : 400);
      return renderInvitation(res, {
        token,
        invitation,
        hasAccount: existing !== null,
        errors,
        name,
      });
    }

    const passwordHash = await passwords.hash(password);
    let slug: string;
    try {
      slug = await database.db.transaction(async (tx) => {
        const user = await insertUser(tx, { email: invitation.email, name, passwordHash });
        const joined = await acceptInvitation(tx, token, user);
        await startSession(deps, req, res, user.id, {
          db: tx,
          flash: { kind: "success", text: `Welcome. You joined ${joined.application.name}.` },
        });
        return joined.application.slug;
      });
    } catch (error) {
      // Someone created the account between the check above and this transaction.
      if (!isUniqueViolation(error)) throw error;
      ensurePreSessionToken(config, req, res);
      res.status(409);
      return renderInvitation(res, { token, invitation, hasAccount: true, errors: {}, name });
    }
    res.redirect(303, `/apps/${slug}`);
  });

  return router;
}

function renderInvitation(
  res: Response,
  view: {
    token: string;
    invitation: NonNullable<Awaited<ReturnType<typeof findInvitation>>>;
    hasAccount: boolean;
    errors?: Record<string, string>;
    name?: string;
  },
): void {
  res.render("applications/invitation", {
    title: `Join ${view.invitation.application.name}`,
    token: view.token,
    invitation: view.invitation,
    roleLabel: ROLE_LABELS[view.invitation.role],
    hasAccount: view.hasAccount,
    errors: view.errors ?? {},
    name: view.name ?? "",
    passwordMinLength: PASSWORD_MIN_LENGTH,
    signInHref: `/sign-in?next=${encodeURIComponent(`/invitations/accept?token=${view.token}`)}`,
  });
}

function param(req: Request, name: string): string {
  return String(req.params[name] ?? "");
}

/** A member's id from the path; anything that is not an id cannot be a member. */
function memberId(req: Request): string {
  const id = param(req, "userId");
  if (!UUID_PATTERN.test(id)) throw new NotAMemberError();
  return id;
}
