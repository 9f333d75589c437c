// Runs only with TEST_DATABASE_URL (see vitest.config.ts): two console processes on one
// PostgreSQL database serve the same sessions and count the same failed sign-ins.

import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterEach, describe, expect, it } from "vitest";
import { createPasswordHasher } from "../../src/accounts/passwords.ts";
import { insertUser } from "../../src/accounts/users.ts";
import { openPostgres } from "../../src/core/db/client.ts";
import { withDatabase } from "../support/global-setup.ts";
import { type ConsoleProcess, startConsole } from "../support/process.ts";

const running: ConsoleProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop("SIGKILL")));
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const serverUrl = process.env.TEST_DATABASE_URL!;

/** A new database on the test server, dropped after the test. */
async function freshDatabase(): Promise<string> {
  const name = `sc_sessions_${process.pid}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  cleanups.push(async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  });
  return withDatabase(serverUrl, name);
}

/** Signs in through one process's form, as a browser would. */
async function signIn(base: string, email: string, password: string) {
  const page = await fetch(`${base}/sign-in`);
  const preSession = page.headers.get("set-cookie")!.split(";")[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const response = await fetch(`${base}/sign-in`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: preSession, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: csrf, email, password }),
  });
  const session = response.headers
    .getSetCookie()
    .find((line) => line.startsWith("sc_session="))
    ?.split(";")[0];
  return { status: response.status, retryAfter: response.headers.get("retry-after"), session };
}

describe("two console processes on one PostgreSQL", () => {
  it("share sessions, sign-outs and sign-in limits", async () => {
    const databaseUrl = await freshDatabase();
    const env = {
      DATABASE_URL: databaseUrl,
      SECRETS_MASTER_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    };
    const first = await startConsole(env);
    running.push(first);
    const second = await startConsole(env);
    running.push(second);

    const password = "a shared password 123";
    const database = await openPostgres(databaseUrl);
    const email = "shared@example.test";
    try {
      await insertUser(database.db, {
        email,
        name: "Shared Person",
        passwordHash: await createPasswordHasher().hash(password),
      });
    } finally {
      await database.close();
    }

    // Signed in on the first process, recognised by the second.
    const signedIn = await signIn(first.url, email, password);
    expect(signedIn.status).toBe(303);
    const cookie = signedIn.session!;
    const home = await fetch(`${second.url}/`, { headers: { cookie }, redirect: "manual" });
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain("Shared Person");

    // Signed out on the second process: the cookie is dead on the first.
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    const signOut = await fetch(`${second.url}/sign-out`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf }),
    });
    expect(signOut.status).toBe(303);
    const after = await fetch(`${first.url}/`, { headers: { cookie }, redirect: "manual" });
    expect(after.status).toBe(303);
    expect(after.headers.get("location")).toMatch(/^\/sign-in/);

    // Five failures spread over both processes block the account on both.
    for (let attempt = 0; attempt < 5; attempt++) {
      const base = attempt % 2 === 0 ? first.url : second.url;
      expect((await signIn(base, email, `wrong password ${attempt}`)).status).toBe(400);
    }
    for (const base of [first.url, second.url]) {
      const blocked = await signIn(base, email, password);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
      expect(blocked.session).toBeUndefined();
    }
  });
});
