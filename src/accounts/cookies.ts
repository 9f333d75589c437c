// The console's two cookies: the session id, and before a session exists, the token that
// protects the sign-in and setup forms. Over https they take the __Host- prefix, which a
// browser only accepts from this host, on path /, with Secure: a sibling subdomain cannot
// plant one.

import type { CookieOptions, Request } from "express";

export interface CookieSettings {
  secureCookies: boolean;
}

export function sessionCookieName(config: CookieSettings): string {
  return config.secureCookies ? "__Host-sc_session" : "sc_session";
}

export function preSessionCookieName(config: CookieSettings): string {
  return config.secureCookies ? "__Host-sc_presession" : "sc_presession";
}

export function cookieOptions(config: CookieSettings, maxAgeMs?: number): CookieOptions {
  return {
    httpOnly: true,
    sameSite: "lax",
    secure: config.secureCookies,
    path: "/",
    ...(maxAgeMs === undefined ? {} : { maxAge: maxAgeMs }),
  };
}

/** The value of one cookie of a request; express 5 does not parse cookies itself. */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;

  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at < 0 || part.slice(0, at).trim() !== name) continue;
    const raw = part.slice(at + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
