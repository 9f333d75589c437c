// Pages of accounts: sign in, sign out, the first owner's setup link, and the account page
// where a person changes their password.

import { type Response, Router } from "express";
import { recordAudit } from "../audit/record.ts";
import type { Config } from "../core/config.ts";
import type { Database } from "../core/db/client.ts";
import { BadRequestError } from "../core/errors.ts";
import { field, queryParam } from "./forms.ts";
import {
  currentUser,
  endSession,
  ensurePreSessionToken,
  requireSignIn,
  safeNextPath,
  startSession,
} from "./http.ts";
import type { PasswordHasher } from "./passwords.ts";
import { deleteSessionsOfUser, purgeEndedSessions } from "./sessions.ts";
import { createFirstOwner, SetupLinkInvalidError, setupTokenIsUsable } from "./setup.ts";
import {
  assertNotThrottled,
  clearAccountFailures,
  purgeOldThrottles,
  recordFailure,
  throttleKeys,
} from "./throttle.ts";
import {
  actorOf,
  anyUserExists,
  findUserByEmail,
  findUserById,
  normalizeEmail,
  PASSWORD_MAX_LENGTH,
  passwordProblem,
  setPasswordHash,
} from "./users.ts";

export interface AccountRouteDeps {
  config: Config;
  database: Database;
  passwords: PasswordHasher;
}

/** One answer for an unknown email and a wrong password, so neither tells which it was. */
const WRONG_CREDENTIALS = "The email or password is not right.";

export function accountRoutes(deps: AccountRouteDeps): Router {
  const { config, database, passwords } = deps;
  const router = Router();

  router.get("/sign-in", async (req, res) => {
    const next = safeNextPath(queryParam(req.query, "next"));
    if (req.signedIn) return res.redirect(303, next);

    ensurePreSessionToken(config, req, res);
    await renderSignIn(res, 200, { next, signedOut: queryParam(req.query, "signedOut") === "1" });
  });

  router.post("/sign-in", async (req, res) => {
    const email = normalizeEmail(field(req.body, "email"));
    const password = field(req.body, "password");
    const next = safeNextPath(field(req.body, "next"));

    if (email === "" || password === "") {
      ensurePreSessionToken(config, req, res);
      return renderSignIn(res, 400, { email, next, error: "Enter your email and password." });
    }

    const keys = throttleKeys(email, req.ip);
    await assertNotThrottled(database, keys);

    // No stored password is longer than the maximum, so the cut cannot turn a wrong one right.
    const candidate = password.slice(0, PASSWORD_MAX_LENGTH + 1);
    const user = await findUserByEmail(database.db, email);
    const matches = user
      ? await passwords.verify(user.passwordHash, candidate)
      : await passwords.verifyDummy(candidate);

    if (!user || !matches) {
      await recordFailure(database, keys);
      ensurePreSessionToken(config, req, res);
      return renderSignIn(res, 400, { email, next, error: WRONG_CREDENTIALS });
    }

    await clearAccountFailures(database, keys);
    if (await passwords.needsRehash(user.passwordHash)) {
      await setPasswordHash(database.db, user.id, await passwords.hash(password), false);
    }
    await purgeEndedSessions(database.db);
    await purgeOldThrottles(database);

    await startSession(deps, req, res, user.id);
    res.redirect(303, next);
  });

  router.post("/sign-out", async (req, res) => {
    await endSession(deps, req, res);
    res.redirect(303, "/sign-in?signedOut=1");
  });

  router.get("/setup", async (req, res) => {
    const token = queryParam(req.query, "token");
    if (!(await setupTokenIsUsable(database, token))) throw new SetupLinkInvalidError();

    ensurePreSessionToken(config, req, res);
    res.render("accounts/setup", {
      title: "Create the first owner",
      token,
      values: {},
      errors: {},
    });
  });

  router.post("/setup", async (req, res) => {
    const token = queryParam(req.query, "token");
    if (!(await setupTokenIsUsable(database, token))) throw new SetupLinkInvalidError();

    const input = {
      name: field(req.body, "name"),
      email: field(req.body, "email"),
      password: field(req.body, "password"),
    };
    try {
      const owner = await createFirstOwner(database, passwords, input, token);
      await startSession(deps, req, res, owner.id);
    } catch (error) {
      if (!(error instanceof BadRequestError)) throw error;
      ensurePreSessionToken(config, req, res);
      res.status(400).render("accounts/setup", {
        title: "Create the first owner",
        token,
        values: { name: input.name, email: input.email },
        errors: error.fields,
      });
      return;
    }
    res.redirect(303, "/");
  });

  router.get("/account", requireSignIn, (_req, res) => {
    res.render("accounts/account", { title: "Your account", errors: {} });
  });

  router.post("/account/password", requireSignIn, async (req, res) => {
    const user = currentUser(req);
    const current = field(req.body, "currentPassword");
    const next = field(req.body, "newPassword");
    const errors: Record<string, string> = {};

    const problem = passwordProblem(next);
    if (problem) errors.newPassword = problem;
    if (field(req.body, "confirmPassword") !== next) {
      errors.confirmPassword = "Enter the same new password twice.";
    }
    if (current === "") errors.currentPassword = "Enter your current password.";
    if (Object.keys(errors).length > 0) return renderAccount(res, errors);

    // The current password is a sign-in in disguise: the same limits apply to guessing it.
    const keys = throttleKeys(user.email, req.ip);
    await assertNotThrottled(database, keys);
    const stored = await findUserById(database.db, user.id);
    const candidate = current.slice(0, PASSWORD_MAX_LENGTH + 1);
    if (!stored || !(await passwords.verify(stored.passwordHash, candidate))) {
      await recordFailure(database, keys);
      return renderAccount(res, { currentPassword: "Your current password is not right." });
    }

    const passwordHash = await passwords.hash(next);
    await database.db.transaction(async (tx) => {
      await setPasswordHash(tx, user.id, passwordHash, true);
      // Every session of this person ends, here and in any other browser, then this browser
      // gets a fresh one.
      await deleteSessionsOfUser(tx, user.id);
      await recordAudit(tx, actorOf(user), { applicationId: null, action: "account.password" });
      await startSession(deps, req, res, user.id, {
        db: tx,
        flash: {
          kind: "success",
          text: "Your password is changed. Every other session was signed out.",
        },
      });
    });
    res.redirect(303, "/account");
  });

  async function renderSignIn(
    res: Response,
    status: number,
    view: { email?: string; next: string; error?: string; signedOut?: boolean },
  ) {
    res.status(status).render("accounts/sign-in", {
      title: "Sign in",
      email: view.email ?? "",
      next: view.next,
      error: view.error ?? null,
      signedOut: view.signedOut ?? false,
      noAccountYet: !(await anyUserExists(database.db)),
    });
  }

  return router;
}

function renderAccount(res: Response, errors: Record<string, string>): void {
  res.status(400).render("accounts/account", { title: "Your account", errors });
}
