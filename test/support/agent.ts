// HTTP clients for tests: a signed-in one whose session is made directly in the database (no
// password hashing), and an anonymous one holding the pre-session token of the sign-in forms.

import request from "supertest";
import { preSessionCookieName, sessionCookieName } from "../../src/accounts/cookies.ts";
import { createSession } from "../../src/accounts/sessions.ts";
import type { TestConsole } from "./app.ts";

export type TestAgent = ReturnType<typeof request.agent>;
export type TestRequest = request.Test;

export type Form = Record<string, string | string[]>;

export interface CsrfOption {
  /** The `_csrf` to send: a string, or null to send none. Defaults to the agent's own token. */
  csrf?: string | null;
}

export interface SignedInAgent {
  user: { id: string };
  /** A supertest agent that sends the session cookie with every request. */
  agent: TestAgent;
  /** The session's CSRF token, as its pages put in every form. */
  csrfToken: string;
  /** The Cookie header value, `name=id`, to replay the session elsewhere. */
  cookie: string;
  get(path: string): TestRequest;
  /** POSTs a urlencoded form with the session's CSRF token added (see CsrfOption). */
  post(path: string, form?: Form, options?: CsrfOption): TestRequest;
}

/** A client signed in as `user`, without going through the sign-in form. */
export async function signedInAgent(
  testConsole: TestConsole,
  user: { id: string },
): Promise<SignedInAgent> {
  const session = await createSession(testConsole.database.db, user.id);
  const cookie = `${sessionCookieName(testConsole.config)}=${session.id}`;
  const agent = request.agent(testConsole.app).set("Cookie", cookie);
  return {
    user,
    agent,
    csrfToken: session.csrfToken,
    cookie,
    get: (path) => agent.get(path),
    post: (path, form = {}, options = {}) =>
      postForm(agent, path, form, session.csrfToken, options),
  };
}

export interface AnonymousAgent {
  agent: TestAgent;
  /** The pre-session token the sign-in page put in its form. */
  csrfToken: string;
  get(path: string): TestRequest;
  post(path: string, form?: Form, options?: CsrfOption): TestRequest;
}

/** A client that opened `page` (the sign-in page by default) and holds its form token. */
export async function anonymousAgent(
  testConsole: TestConsole,
  page = "/sign-in",
): Promise<AnonymousAgent> {
  const agent = request.agent(testConsole.app);
  const response = await agent.get(page).expect(200);
  const csrfToken = csrfTokenIn(response.text);
  const cookieName = preSessionCookieName(testConsole.config);
  const setCookie = ([] as string[]).concat(response.headers["set-cookie"] ?? []);
  if (!setCookie.some((line) => line.startsWith(`${cookieName}=`))) {
    throw new Error(`${page} set no ${cookieName} cookie`);
  }
  return {
    agent,
    csrfToken,
    get: (path) => agent.get(path),
    post: (path, form = {}, options = {}) => postForm(agent, path, form, csrfToken, options),
  };
}

/** Signs in through the form, as a person would (costs one password verification). */
export async function signInThroughForm(
  testConsole: TestConsole,
  email: string,
  password: string,
): Promise<{ agent: TestAgent; response: request.Response; cookie: string | null }> {
  const anonymous = await anonymousAgent(testConsole);
  const response = await anonymous.post("/sign-in", { email, password });
  return { agent: anonymous.agent, response, cookie: sessionCookieFrom(testConsole, response) };
}

/** The `name=id` of the session cookie a response set, or null. */
export function sessionCookieFrom(
  testConsole: TestConsole,
  response: request.Response,
): string | null {
  const name = sessionCookieName(testConsole.config);
  const lines = ([] as string[]).concat(response.headers["set-cookie"] ?? []);
  const line = lines.find((candidate) => candidate.startsWith(`${name}=`));
  const pair = line?.split(";")[0];
  return pair && pair !== `${name}=` ? pair : null;
}

/** The value of the first `_csrf` field of a page. */
export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error("the page has no _csrf field");
  return match[1]!;
}

function postForm(
  agent: TestAgent,
  path: string,
  form: Form,
  token: string,
  options: CsrfOption,
): TestRequest {
  const csrf = options.csrf === undefined ? token : options.csrf;
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) {
    for (const item of ([] as string[]).concat(value)) body.append(name, item);
  }
  if (csrf !== null) body.set("_csrf", csrf);
  return agent.post(path).type("form").send(body.toString());
}
