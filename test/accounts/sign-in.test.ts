import { eq, sql } from "drizzle-orm";
import request from "supertest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPasswordHasher } from "../../src/accounts/passwords.ts";
import { sessions, signInThrottles, users } from "../../src/accounts/tables.ts";
import { hashToken } from "../../src/accounts/tokens.ts";
import { createApp } from "../../src/app.ts";
import { createLogger } from "../../src/core/logger.ts";
import { runtimeAccessOf } from "../../src/runtime/api.ts";
import {
  anonymousAgent,
  csrfTokenIn,
  sessionCookieFrom,
  signedInAgent,
  signInThroughForm,
} from "../support/agent.ts";
import { createTestConsole, type TestConsole } from "../support/app.ts";
import { createUser } from "../support/factories.ts";

let testConsole: TestConsole;

beforeAll(async () => {
  testConsole = await createTestConsole();
});

afterAll(async () => {
  await testConsole.close();
});

// Every request here comes from one address; each test starts with that address's count at 0.
beforeEach(async () => {
  await testConsole.database.db
    .delete(signInThrottles)
    .where(sql`${signInThrottles.key} like 'address:%'`);
});

/** A page's text without what differs on every request: tokens and request ids. */
function comparable(html: string): string {
  return html.replace(/name="_csrf" value="[^"]+"/g, "").replace(/[0-9a-f-]{36}/g, "");
}

describe("signing in", () => {
  it("signs in with the right password: an HttpOnly, SameSite=Lax session cookie", async () => {
    const user = await createUser(testConsole.database);
    const { response, agent } = await signInThroughForm(testConsole, user.email, user.password);

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe("/");
    const line = ([] as string[])
      .concat(response.headers["set-cookie"] ?? [])
      .find((cookie) => cookie.startsWith("sc_session="))!;
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=Lax/);
    expect(line).not.toMatch(/; Secure/);

    const home = await agent.get("/").expect(200);
    expect(home.text).toContain(user.name);
    expect(home.text).toContain('action="/sign-out"');
  });

  it("finds the account whatever the case and spaces of the email typed", async () => {
    const user = await createUser(testConsole.database);
    const typed = `  ${user.email.toUpperCase()} `;
    const { response } = await signInThroughForm(testConsole, typed, user.password);
    expect(response.status).toBe(303);
  });

  it("uses Secure cookies with the __Host- prefix when served over https", async () => {
    const secure = await createTestConsole({ PUBLIC_URL: "https://secrets.example.test" });
    try {
      const user = await createUser(secure.database);
      const page = await request(secure.app).get("/sign-in").expect(200);
      const preSession = ([] as string[]).concat(page.headers["set-cookie"] ?? [])[0]!;
      expect(preSession).toMatch(
        /^__Host-sc_presession=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax/,
      );

      const response = await request(secure.app)
        .post("/sign-in")
        .set("Cookie", preSession.split(";")[0]!)
        .type("form")
        .send({ email: user.email, password: user.password, _csrf: csrfTokenIn(page.text) })
        .expect(303);
      const session = ([] as string[])
        .concat(response.headers["set-cookie"] ?? [])
        .find((line) => line.startsWith("__Host-sc_session="))!;
      expect(session).toMatch(/; Path=\/;.*HttpOnly; Secure; SameSite=Lax/);
      expect(response.headers["strict-transport-security"]).toBeDefined();
    } finally {
      await secure.close();
    }
  });

  it("answers an unknown email and a wrong password with the same page", async () => {
    const user = await createUser(testConsole.database);
    const unknown = await signInThroughForm(
      testConsole,
      "nobody@example.test",
      "whatever password",
    );
    const wrong = await signInThroughForm(testConsole, user.email, "not the password at all");

    expect(unknown.response.status).toBe(400);
    expect(wrong.response.status).toBe(400);
    expect(wrong.response.text).toContain("The email or password is not right.");
    const unknownPage = comparable(unknown.response.text).replace("nobody@example.test", "EMAIL");
    const wrongPage = comparable(wrong.response.text).replace(user.email, "EMAIL");
    expect(unknownPage).toBe(wrongPage);
    expect(unknown.cookie).toBeNull();
    expect(wrong.cookie).toBeNull();
  });

  it("verifies a password for an unknown email too, so timing tells nothing", async () => {
    // The same argon2id work for both answers, proven by counting it rather than by timing it.
    const real = createPasswordHasher();
    const calls: string[] = [];
    const passwords = {
      ...real,
      verify: (hash: string, password: string) => {
        calls.push("verify");
        return real.verify(hash, password);
      },
      verifyDummy: (password: string) => {
        calls.push("verifyDummy");
        return real.verifyDummy(password);
      },
    };
    const watched = {
      ...testConsole,
      app: createApp({
        config: testConsole.config,
        database: testConsole.database,
        keyring: testConsole.keyring,
        logger: createLogger({ level: "silent" }),
        passwords,
      }),
    };
    const user = await createUser(testConsole.database);

    const wrong = await anonymousAgent(watched);
    await wrong.post("/sign-in", { email: user.email, password: "wrong password 123" });
    expect(calls).toEqual(["verify"]);

    const unknown = await anonymousAgent(watched);
    await unknown.post("/sign-in", { email: "ghost@example.test", password: "wrong password 123" });
    expect(calls).toEqual(["verify", "verifyDummy"]);
    await runtimeAccessOf(watched.app)?.stop();
  });

  it("refuses a sign-in without the form's token, or one not matching its cookie", async () => {
    const user = await createUser(testConsole.database);
    const anonymous = await anonymousAgent(testConsole);

    const form = { email: user.email, password: user.password };
    const without = await anonymous.post("/sign-in", form, { csrf: null });
    const wrong = await anonymous.post("/sign-in", form, {
      csrf: "made-up-token-made-up-token-00000",
    });
    const noCookie = await request(testConsole.app)
      .post("/sign-in")
      .type("form")
      .send({ email: user.email, password: user.password, _csrf: anonymous.csrfToken });
    const crossSite = await anonymous.agent
      .post("/sign-in")
      .set("Sec-Fetch-Site", "cross-site")
      .type("form")
      .send({ email: user.email, password: user.password, _csrf: anonymous.csrfToken });

    for (const response of [without, wrong, noCookie, crossSite]) {
      expect(response.status).toBe(403);
      expect(sessionCookieFrom(testConsole, response)).toBeNull();
    }
  });

  it("rotates the session at sign-in: the id held before no longer works", async () => {
    const user = await createUser(testConsole.database);
    const before = await signedInAgent(testConsole, user);

    const response = await before
      .post("/sign-in", { email: user.email, password: user.password })
      .expect(303);
    const after = sessionCookieFrom(testConsole, response);
    expect(after).not.toBeNull();
    expect(after).not.toBe(before.cookie);

    const old = await request(testConsole.app).get("/").set("Cookie", before.cookie);
    expect(old.status).toBe(303);
    expect(old.headers.location).toBe("/sign-in?next=%2F");
    await request(testConsole.app).get("/").set("Cookie", after!).expect(200);
  });

  it("stores only a hash of the session id", async () => {
    const user = await createUser(testConsole.database);
    const { cookie } = await signInThroughForm(testConsole, user.email, user.password);
    const id = cookie!.split("=")[1]!;
    const rows = await testConsole.database.db
      .select()
      .from(sessions)
      .where(eq(sessions.userId, user.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.idHash).toBe(hashToken(id));
    expect(JSON.stringify(rows)).not.toContain(id);
  });

  it("returns to the page asked for, and never to another site", async () => {
    const user = await createUser(testConsole.database);
    const asked = await request(testConsole.app).get("/account").expect(303);
    expect(asked.headers.location).toBe("/sign-in?next=%2Faccount");

    for (const [next, expected] of [
      ["/account", "/account"],
      ["//evil.example/", "/"],
      ["https://evil.example/", "/"],
      ["/\\evil.example", "/"],
      ["/\t/evil.example", "/"],
    ]) {
      const anonymous = await anonymousAgent(testConsole);
      const response = await anonymous.post("/sign-in", {
        email: user.email,
        password: user.password,
        next: next!,
      });
      expect(response.headers.location, next).toBe(expected);
    }
  });

  it("rehashes a password made with older limits when its owner signs in", async () => {
    const weak = await createPasswordHasher({ opsLimit: 1, memLimit: 8192 }).hash(
      "an older password!",
    );
    const user = await createUser(testConsole.database, { passwordHash: weak });

    const { response } = await signInThroughForm(testConsole, user.email, "an older password!");
    expect(response.status).toBe(303);
    const [row] = await testConsole.database.db
      .select({ passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.id, user.id));
    expect(row!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=65536,t=2,p=1\$/);
    expect(await createPasswordHasher().verify(row!.passwordHash, "an older password!")).toBe(true);
  });
});

describe("signing out and session expiry", () => {
  it("signs out, after which the signed-out session's cookie no longer works", async () => {
    const user = await createUser(testConsole.database);
    const { agent, cookie } = await signInThroughForm(testConsole, user.email, user.password);
    const page = await agent.get("/").expect(200);

    const response = await agent
      .post("/sign-out")
      .type("form")
      .send({ _csrf: csrfTokenIn(page.text) })
      .expect(303);
    expect(response.headers.location).toBe("/sign-in?signedOut=1");
    expect(([] as string[]).concat(response.headers["set-cookie"] ?? []).join()).toMatch(
      /sc_session=;.*Expires=Thu, 01 Jan 1970/,
    );

    const replay = await request(testConsole.app).get("/").set("Cookie", cookie!);
    expect(replay.status).toBe(303);
    expect(replay.headers.location).toMatch(/^\/sign-in/);
    const rows = await testConsole.database.db
      .select()
      .from(sessions)
      .where(eq(sessions.userId, user.id));
    expect(rows).toHaveLength(0);
  });

  it("lets a visitor whose session is gone sign out without a form error", async () => {
    const response = await request(testConsole.app)
      .post("/sign-out")
      .set("Cookie", "sc_session=long-gone-session-id")
      .type("form")
      .send({});
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe("/sign-in?signedOut=1");
  });

  it("never writes a password, a session id or a form token to the log", async () => {
    const user = await createUser(testConsole.database);
    const { agent, cookie } = await signInThroughForm(testConsole, user.email, user.password);
    await signInThroughForm(testConsole, user.email, "canary-wrong-password-7781");
    const page = await agent.get("/account").expect(200);

    const logs = testConsole.logs.join("\n");
    expect(logs).toContain('"path":"/sign-in"');
    expect(logs).not.toContain(user.password);
    expect(logs).not.toContain("canary-wrong-password-7781");
    expect(logs).not.toContain(cookie!.split("=")[1]!);
    expect(logs).not.toContain(csrfTokenIn(page.text));
  });

  it("ends a session left idle for more than two hours", async () => {
    const user = await createUser(testConsole.database);
    const client = await signedInAgent(testConsole, user);
    await client.get("/").expect(200);

    await testConsole.database.db
      .update(sessions)
      .set({ lastSeenAt: sql`now() - interval '121 minutes'` })
      .where(eq(sessions.userId, user.id));
    const response = await client.get("/");
    expect(response.status).toBe(303);
    expect(response.headers.location).toMatch(/^\/sign-in/);
  });

  it("keeps a session in use alive, and ends it at its absolute expiry anyway", async () => {
    const user = await createUser(testConsole.database);
    const client = await signedInAgent(testConsole, user);

    await testConsole.database.db
      .update(sessions)
      .set({ lastSeenAt: sql`now() - interval '119 minutes'` })
      .where(eq(sessions.userId, user.id));
    await client.get("/").expect(200);
    const [touched] = await testConsole.database.db
      .select({ recent: sql<boolean>`${sessions.lastSeenAt} > now() - interval '1 minute'` })
      .from(sessions)
      .where(eq(sessions.userId, user.id));
    expect(touched!.recent).toBe(true);

    await testConsole.database.db
      .update(sessions)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(sessions.userId, user.id));
    expect((await client.get("/")).status).toBe(303);
  });
});

describe("sign-in limits", () => {
  it("blocks an account after five failures: 429, Retry-After, even if right", async () => {
    const user = await createUser(testConsole.database);
    for (let attempt = 0; attempt < 5; attempt++) {
      const { response } = await signInThroughForm(
        testConsole,
        user.email,
        `wrong ${attempt}xxxxxxxx`,
      );
      expect(response.status).toBe(400);
    }

    const { response, cookie } = await signInThroughForm(testConsole, user.email, user.password);
    expect(response.status).toBe(429);
    expect(Number(response.headers["retry-after"])).toBeGreaterThan(800);
    expect(response.text).toContain("Too many failed sign-ins. Wait 15 minutes");
    expect(cookie).toBeNull();
  });

  it("blocks an unknown email exactly as a known one, so a block reveals nothing", async () => {
    const email = `ghost-${Date.now()}@example.test`;
    for (let attempt = 0; attempt < 5; attempt++) {
      await signInThroughForm(testConsole, email, `wrong ${attempt}xxxxxxxx`);
    }
    const { response } = await signInThroughForm(testConsole, email, "anything at all");
    expect(response.status).toBe(429);
  });

  it("blocks an address that fails too often across accounts", async () => {
    const first = await createUser(testConsole.database);
    await signInThroughForm(testConsole, first.email, "wrong password xxxxx");
    const [row] = await testConsole.database.db
      .select()
      .from(signInThrottles)
      .where(sql`${signInThrottles.key} like 'address:%'`);
    expect(row!.failures).toBeGreaterThanOrEqual(1);

    // As if 28 more failures had come from this address within the window.
    await testConsole.database.db
      .update(signInThrottles)
      .set({ failures: 29 })
      .where(eq(signInThrottles.key, row!.key));
    const other = await createUser(testConsole.database);
    await signInThroughForm(testConsole, other.email, "wrong password yyyyy");

    const third = await createUser(testConsole.database);
    const { response } = await signInThroughForm(testConsole, third.email, third.password);
    expect(response.status).toBe(429);
    expect(response.headers["retry-after"]).toBeDefined();
  });

  it("clears an account's failures at sign-in, and restarts a window that has passed", async () => {
    const user = await createUser(testConsole.database);
    for (let attempt = 0; attempt < 4; attempt++) {
      await signInThroughForm(testConsole, user.email, `wrong ${attempt}xxxxxxxx`);
    }
    expect((await signInThroughForm(testConsole, user.email, user.password)).response.status).toBe(
      303,
    );
    const key = `account:${user.email}`;
    expect(
      await testConsole.database.db
        .select()
        .from(signInThrottles)
        .where(eq(signInThrottles.key, key)),
    ).toHaveLength(0);

    await signInThroughForm(testConsole, user.email, "wrong again xxxxxxx");
    await testConsole.database.db
      .update(signInThrottles)
      .set({ failures: 4, windowStartedAt: sql`now() - interval '16 minutes'` })
      .where(eq(signInThrottles.key, key));
    await signInThroughForm(testConsole, user.email, "wrong once more xxxx");
    const [row] = await testConsole.database.db
      .select()
      .from(signInThrottles)
      .where(eq(signInThrottles.key, key));
    expect(row!.failures).toBe(1);
    expect(row!.blockedUntil).toBeNull();
  });
});
