import { count, eq, sql } from "drizzle-orm";
import request from "supertest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPasswordHasher } from "../../src/accounts/passwords.ts";
import {
  announceSetupLink,
  createFirstOwner,
  FirstOwnerExistsError,
  setupLinkIfNoAccount,
} from "../../src/accounts/setup.ts";
import { setupTokens, users } from "../../src/accounts/tables.ts";
import { hashToken } from "../../src/accounts/tokens.ts";
import { BadRequestError } from "../../src/core/errors.ts";
import { anonymousAgent, sessionCookieFrom } from "../support/agent.ts";
import { createTestConsole, type TestConsole } from "../support/app.ts";

// Every test here needs a console without any account: each starts by removing them all.
let testConsole: TestConsole;

beforeAll(async () => {
  testConsole = await createTestConsole();
});

afterAll(async () => {
  await testConsole.close();
});

beforeEach(async () => {
  await testConsole.database.db.delete(users);
  await testConsole.database.db.delete(setupTokens);
});

async function userCount(testConsole: TestConsole): Promise<number> {
  const [row] = await testConsole.database.db.select({ n: count() }).from(users);
  return Number(row!.n);
}

const owner = { name: "Ada Owner", email: "Ada@Example.test", password: "a long setup password" };

describe("the setup link", () => {
  it("creates the first owner, signs them in, and works only once", async () => {
    const link = await setupLinkIfNoAccount(testConsole.database, testConsole.config.publicUrl);
    const path = link!.slice(testConsole.config.publicUrl.length);
    expect(path).toMatch(/^\/setup\?token=[A-Za-z0-9_-]{43}$/);

    const page = await anonymousAgent(testConsole, path);
    const response = await page.post(path, owner).expect(303);
    expect(response.headers.location).toBe("/");
    const cookie = sessionCookieFrom(testConsole, response);
    const home = await request(testConsole.app).get("/").set("Cookie", cookie!).expect(200);
    expect(home.text).toContain("Ada Owner");
    const [stored] = await testConsole.database.db.select().from(users);
    expect(stored!.email).toBe("ada@example.test");

    // The same link again: the page and the form are both refused, and nobody is added.
    const again = await request(testConsole.app).get(path);
    expect(again.status).toBe(404);
    expect(again.text).toContain("This setup link has been used or has expired");
    const stranger = await anonymousAgent(testConsole);
    const replay = await stranger.post(path, { ...owner, email: "mallory@example.test" });
    expect(replay.status).toBe(404);
    expect(await userCount(testConsole)).toBe(1);
  });

  it("stores only the hash of the token", async () => {
    const link = await setupLinkIfNoAccount(testConsole.database, testConsole.config.publicUrl);
    const token = new URL(link!).searchParams.get("token")!;
    const rows = await testConsole.database.db.select().from(setupTokens);
    expect(rows.map((row) => row.tokenHash)).toContain(hashToken(token));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it("refuses a link older than 24 hours", async () => {
    const link = await setupLinkIfNoAccount(testConsole.database, testConsole.config.publicUrl);
    const token = new URL(link!).searchParams.get("token")!;
    await testConsole.database.db
      .update(setupTokens)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(setupTokens.tokenHash, hashToken(token)));

    const response = await request(testConsole.app).get(`/setup?token=${token}`);
    expect(response.status).toBe(404);
  });

  it("refuses a made-up token and a missing one", async () => {
    expect((await request(testConsole.app).get("/setup?token=abc")).status).toBe(404);
    expect((await request(testConsole.app).get("/setup")).status).toBe(404);
  });

  it("keeps what was typed, except the password, when a field is wrong", async () => {
    const link = await setupLinkIfNoAccount(testConsole.database, testConsole.config.publicUrl);
    const path = link!.slice(testConsole.config.publicUrl.length);
    const page = await anonymousAgent(testConsole, path);

    const response = await page.post(path, {
      name: "Ada",
      email: "not-an-email",
      password: "short",
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain("Enter an email address such as name@example.com.");
    expect(response.text).toContain("Use at least 12 characters.");
    expect(response.text).toContain('value="not-an-email"');
    expect(response.text).not.toContain('value="short"');
    expect(await userCount(testConsole)).toBe(0);

    // The link was not spent by the refused attempt.
    expect((await page.get(path)).status).toBe(200);
  });

  it("stops working once an account exists, however it was made", async () => {
    const link = await setupLinkIfNoAccount(testConsole.database, testConsole.config.publicUrl);
    const path = link!.slice(testConsole.config.publicUrl.length);
    await createFirstOwner(testConsole.database, createPasswordHasher(), owner);

    expect((await request(testConsole.app).get(path)).status).toBe(404);
    expect(await setupLinkIfNoAccount(testConsole.database, "http://x")).toBeNull();
    expect(await testConsole.database.db.select().from(setupTokens)).toHaveLength(0);
  });
});

describe("announcing the setup link at start", () => {
  it("prints a link with the public address while no account exists, then nothing", async () => {
    const printed: string[] = [];
    await announceSetupLink(testConsole.database, "https://secrets.example.test", 443, (text) =>
      printed.push(text),
    );
    expect(printed.join("")).toMatch(
      /Create the first owner at https:\/\/secrets\.example\.test\/setup\?token=[\w-]{43}\n/,
    );

    await announceSetupLink(testConsole.database, "http://127.0.0.1:0", 41234, (text) =>
      printed.push(text),
    );
    expect(printed[1]).toContain("http://127.0.0.1:41234/setup?token=");

    await createFirstOwner(testConsole.database, createPasswordHasher(), owner);
    await announceSetupLink(testConsole.database, "http://x", 1, (text) => printed.push(text));
    expect(printed).toHaveLength(2);
  });
});

describe("createFirstOwner", () => {
  it("refuses a second first owner", async () => {
    const passwords = createPasswordHasher();
    await createFirstOwner(testConsole.database, passwords, owner);
    await expect(
      createFirstOwner(testConsole.database, passwords, { ...owner, email: "b@example.test" }),
    ).rejects.toBeInstanceOf(FirstOwnerExistsError);
    expect(await userCount(testConsole)).toBe(1);
  });

  it("makes one account when two attempts race", async () => {
    const passwords = createPasswordHasher();
    const results = await Promise.allSettled([
      createFirstOwner(testConsole.database, passwords, owner),
      createFirstOwner(testConsole.database, passwords, { ...owner, email: "b@example.test" }),
    ]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(await userCount(testConsole)).toBe(1);
  });

  it("names each field that is wrong", async () => {
    const error = await createFirstOwner(testConsole.database, createPasswordHasher(), {
      name: "",
      email: "x",
      password: "short",
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(Object.keys((error as BadRequestError).fields).sort()).toEqual([
      "email",
      "name",
      "password",
    ]);
  });
});
