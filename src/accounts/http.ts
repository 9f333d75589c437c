// Request handling shared by every page: the session behind the cookie, the CSRF check on
// every state-changing request, flash messages, and starting or ending a session.
//
// CSRF: a signed-in form carries the session's synchronizer token (stored in its row). Forms
// shown before a session exists (sign-in, setup, accepting an invitation) carry a random token
// that is also set in an HttpOnly cookie, and the two must match (double submit). An attacker's
// page can neither read that cookie nor, thanks to SameSite=Lax and the __Host- prefix over
// https, set one for this host. Requests a browser marks as coming from another site are
// refused before any token is compared.

import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Config } from "../core/config.ts";
import type { Database, DbOrTx } from "../core/db/client.ts";
import { ForbiddenError, UnauthorizedError } from "../core/errors.ts";
import { cookieOptions, preSessionCookieName, readCookie, sessionCookieName } from "./cookies.ts";
import { field } from "./forms.ts";
import {
  type ActiveSession,
  clearSessionFlash,
  createSession,
  deleteSession,
  type Flash,
  type FlashKind,
  findSession,
  SESSION_ABSOLUTE_SECONDS,
  type SignedInUser,
  setSessionFlash,
} from "./sessions.ts";
import { randomToken, tokensMatch } from "./tokens.ts";

declare global {
  namespace Express {
    interface Request {
      /** The live session of a signed-in request; absent otherwise. */
      signedIn?: ActiveSession;
    }
  }
}

export interface SessionDeps {
  config: Config;
  database: Database;
}

export const CSRF_MESSAGE =
  "This form has expired or did not come from this console. Reload the page and try again.";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The database each request's flash is written to, without putting it on the request. */
const flashDatabases = new WeakMap<Request, Database>();

/** Loads the session behind the cookie and fills res.locals: user, csrfToken, flash. */
export function loadSession(deps: SessionDeps): RequestHandler {
  const name = sessionCookieName(deps.config);

  return async (req: Request, res: Response, next: NextFunction) => {
    const id = readCookie(req, name);
    if (!id) return next();

    const session = await findSession(deps.database.db, id);
    if (!session) {
      res.clearCookie(name, cookieOptions(deps.config));
      return next();
    }

    req.signedIn = session;
    flashDatabases.set(req, deps.database);
    res.locals.user = session.user;
    res.locals.userId = session.user.id;
    res.locals.csrfToken = session.csrfToken;

    // A flash is shown on the next page read, then forgotten.
    if (session.flash && req.method === "GET") {
      await clearSessionFlash(deps.database.db, session.idHash);
      res.locals.flash = session.flash;
    }
    next();
  };
}

/** Refuses a state-changing request whose CSRF token is missing or wrong (403). */
export function csrfProtection(config: Config): RequestHandler {
  const preSession = preSessionCookieName(config);

  return (req: Request, _res: Response, next: NextFunction) => {
    // The runtime API authenticates with a bearer token, which a browser never sends on its own.
    if (SAFE_METHODS.has(req.method) || req.path.startsWith("/runtime/")) return next();

    // Signing out without a session has nothing to protect: let it clear a stale cookie.
    if (!req.signedIn && req.path === "/sign-out") return next();

    const site = req.get("sec-fetch-site");
    if (site !== undefined && site !== "same-origin" && site !== "none") {
      throw new ForbiddenError(CSRF_MESSAGE);
    }

    const expected = req.signedIn ? req.signedIn.csrfToken : readCookie(req, preSession);
    if (!expected || !tokensMatch(field(req.body, "_csrf"), expected)) {
      throw new ForbiddenError(CSRF_MESSAGE);
    }
    next();
  };
}

/** Gives a page shown before sign-in the token its form must send back (see the top note). */
export function ensurePreSessionToken(config: Config, req: Request, res: Response): void {
  if (req.signedIn) return;

  const name = preSessionCookieName(config);
  let token = readCookie(req, name);
  if (!token || token.length < 32) {
    token = randomToken();
    res.cookie(name, token, cookieOptions(config));
  }
  res.locals.csrfToken = token;
}

/**
 * Signs a user in on this response: a new session id (the old one, if any, is deleted, so an
 * id known before sign-in is useless after it) and the pre-session cookie dropped.
 */
export async function startSession(
  deps: SessionDeps,
  req: Request,
  res: Response,
  userId: string,
  options: { db?: DbOrTx; flash?: Flash } = {},
): Promise<void> {
  const db = options.db ?? deps.database.db;
  if (req.signedIn) await deleteSession(db, req.signedIn.idHash);

  const session = await createSession(db, userId, options.flash);
  res.cookie(
    sessionCookieName(deps.config),
    session.id,
    cookieOptions(deps.config, SESSION_ABSOLUTE_SECONDS * 1000),
  );
  res.clearCookie(preSessionCookieName(deps.config), cookieOptions(deps.config));
}

export async function endSession(deps: SessionDeps, req: Request, res: Response): Promise<void> {
  if (req.signedIn) await deleteSession(deps.database.db, req.signedIn.idHash);
  res.clearCookie(sessionCookieName(deps.config), cookieOptions(deps.config));
}

/**
 * Keeps a message for the next page this session reads. It must never hold a value: it is
 * stored in the session row as written.
 */
export async function setFlash(
  target: Request | Response,
  kind: FlashKind,
  text: string,
): Promise<void> {
  const req = "locals" in target ? target.req : target;
  const database = flashDatabases.get(req);
  if (!req.signedIn || !database) return;
  await setSessionFlash(database.db, req.signedIn.idHash, { kind, text });
}

/** The signed-in user, or a 401 for a route that forgot requireSignIn. */
export function currentUser(req: Request): SignedInUser {
  if (!req.signedIn) throw new UnauthorizedError();
  return req.signedIn.user;
}

/** Sends a visitor without a session to the sign-in page, and back here afterwards. */
export function requireSignIn(req: Request, res: Response, next: NextFunction): void {
  if (req.signedIn) {
    next();
    return;
  }
  if (req.method !== "GET") throw new UnauthorizedError();
  res.redirect(303, `/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
}

/**
 * A path to return to after sign-in: local to this console, never another site. Browsers drop
 * tabs and line breaks from a URL and read a backslash as a slash, so "/\t/evil.example" would
 * become "//evil.example": such characters are refused anywhere in the path.
 */
export function safeNextPath(next: string): string {
  // Printable ASCII except the backslash (0x21-0x5b and 0x5d-0x7e); no space, no control.
  return /^\/(?![/\\])[!-[\]-~]*$/.test(next) ? next : "/";
}
