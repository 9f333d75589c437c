import { and, eq, isNull } from "drizzle-orm";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPasswordHasher } from "../../src/accounts/passwords.ts";
import { sessions, users } from "../../src/accounts/tables.ts";
import { auditEvents } from "../../src/audit/tables.ts";
import { csrfTokenIn, sessionCookieFrom, signedInAgent } from "../support/agent.ts";
import { createTestConsole, type TestConsole } from "../support/app.ts";
import { createUser } from "../support/factories.ts";

let testConsole: TestConsole;

beforeAll(async () => {
  testConsole = await createTestConsole();
});

afterAll(async () => {
  await testConsole.close();
});

async function storedHash(userId: string): Promise<string> {
  const [row] = await testConsole.database.db
    .select({ hash: users.passwordHash })
    .from(users)
    .where(eq(users.id, userId));
  return row!.hash;
}

describe("the account page", () => {
  it("shows the signed-in person and a labelled password form", async () => {
    const user = await createUser(testConsole.database);
    const client = await signedInAgent(testConsole, user);
    const page = await client.get("/account").expect(200);
    expect(page.text).toContain(user.email);
    for (const name of ["currentPassword", "newPassword", "confirmPassword"]) {
      expect(page.text).toContain(`<label for="field-${name}">`);
    }
  });

  it("changes the password, ends every other session, keeps this browser signed in", async () => {
    const user = await createUser(testConsole.database);
    const here = await signedInAgent(testConsole, user);
    const elsewhere = await signedInAgent(testConsole, user);
    const newPassword = "a brand new password 42";

    const response = await here
      .post("/account/password", {
        currentPassword: user.password,
        newPassword,
        confirmPassword: newPassword,
      })
      .expect(303);
    expect(response.headers.location).toBe("/account");

    const fresh = sessionCookieFrom(testConsole, response)!;
    expect(fresh).not.toBe(here.cookie);
    const page = await request(testConsole.app).get("/account").set("Cookie", fresh).expect(200);
    expect(page.text).toContain("Your password is changed. Every other session was signed out.");

    for (const old of [here.cookie, elsewhere.cookie]) {
      expect((await request(testConsole.app).get("/account").set("Cookie", old)).status).toBe(303);
    }
    const left = await testConsole.database.db
      .select()
      .from(sessions)
      .where(eq(sessions.userId, user.id));
    expect(left).toHaveLength(1);

    expect(await createPasswordHasher().verify(await storedHash(user.id), newPassword)).toBe(true);
    const events = await testConsole.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, user.id), isNull(auditEvents.applicationId)));
    expect(events.map((event) => event.action)).toEqual(["account.password"]);
    expect(JSON.stringify(events)).not.toContain(newPassword);
  });

  it("refuses a wrong current password and changes nothing", async () => {
    const user = await createUser(testConsole.database);
    const client = await signedInAgent(testConsole, user);
    const before = await storedHash(user.id);

    const response = await client.post("/account/password", {
      currentPassword: "not my password at all",
      newPassword: "another new password",
      confirmPassword: "another new password",
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain("Your current password is not right.");
    expect(await storedHash(user.id)).toBe(before);
    await client.get("/account").expect(200);
  });

  it("refuses a short or unconfirmed new password before checking anything", async () => {
    const user = await createUser(testConsole.database);
    const client = await signedInAgent(testConsole, user);
    const before = await storedHash(user.id);

    const response = await client.post("/account/password", {
      currentPassword: user.password,
      newPassword: "short",
      confirmPassword: "different",
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain("Use at least 12 characters.");
    expect(response.text).toContain("Enter the same new password twice.");
    expect(response.text).not.toContain(user.password);
    expect(await storedHash(user.id)).toBe(before);
    expect(csrfTokenIn(response.text)).toBe(client.csrfToken);
  });

  it("sends a visitor without a session to sign in", async () => {
    const response = await request(testConsole.app).get("/account");
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe("/sign-in?next=%2Faccount");
  });
});
