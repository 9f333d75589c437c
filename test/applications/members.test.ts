import { and, eq, sql } from "drizzle-orm";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../src/accounts/tables.ts";
import { hashToken } from "../../src/accounts/tokens.ts";
import { applicationHome } from "../../src/applications/navigation.ts";
import { invitations, memberships } from "../../src/applications/tables.ts";
import { auditEvents } from "../../src/audit/tables.ts";
import {
  anonymousAgent,
  type SignedInAgent,
  sessionCookieFrom,
  signedInAgent,
} from "../support/agent.ts";
import { createTestConsole, type TestConsole } from "../support/app.ts";
import { createTeam, createUser, type TestTeam, unique } from "../support/factories.ts";

let testConsole: TestConsole;

beforeAll(async () => {
  testConsole = await createTestConsole();
});

afterAll(async () => {
  await testConsole.close();
});

const membersPath = (team: TestTeam) => `/apps/${team.application.slug}/configuration/members`;

async function roleOf(team: TestTeam, userId: string): Promise<string | undefined> {
  const [row] = await testConsole.database.db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.applicationId, team.application.id), eq(memberships.userId, userId)));
  return row?.role;
}

async function eventsOf(team: TestTeam, action: string) {
  return testConsole.database.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.applicationId, team.application.id), eq(auditEvents.action, action)));
}

/** Invites through the page, returning the link's path and token as shown to the owner. */
async function invite(owner: SignedInAgent, team: TestTeam, email: string, role = "editor") {
  const response = await owner
    .post(`${membersPath(team)}/invitations`, { email, role })
    .expect(200);
  const link = /id="invitation-link"[^>]*value="([^"]+)"/.exec(response.text)![1]!;
  const url = new URL(link);
  return { response, path: `${url.pathname}${url.search}`, token: url.searchParams.get("token")! };
}

describe("inviting", () => {
  it("shows the owner a one-time link once, and stores only its hash", async () => {
    const team = await createTeam(testConsole.database);
    const owner = await signedInAgent(testConsole, team.owner);
    const email = `new-${unique()}@example.test`;

    const { response, token } = await invite(owner, team, email, "viewer");
    expect(response.text).toContain(`${testConsole.config.publicUrl}/invitations/accept?token=`);
    const [row] = await testConsole.database.db
      .select()
      .from(invitations)
      .where(eq(invitations.email, email));
    expect(row).toMatchObject({ role: "viewer", tokenHash: hashToken(token) });
    expect(JSON.stringify(row)).not.toContain(token);

    const again = await owner.get(membersPath(team)).expect(200);
    expect(again.text).not.toContain(token);
    expect(again.text).toContain(email);
    const [event] = await eventsOf(team, "member.invite");
    expect(event!.detail).toEqual({ email, role: "viewer" });
    expect(testConsole.logs.join("\n")).not.toContain(token);
  });

  it("refuses an invalid email or role, and a person who is already a member", async () => {
    const team = await createTeam(testConsole.database);
    const owner = await signedInAgent(testConsole, team.owner);
    const path = `${membersPath(team)}/invitations`;

    const bad = await owner.post(path, { email: "nope", role: "editor" });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("Enter an email address");
    const role = await owner.post(path, { email: "x@example.test", role: "admin" });
    expect(role.status).toBe(400);
    expect(role.text).toContain("Choose Owner, Editor or Viewer.");
    const member = await owner.post(path, {
      email: team.viewer.email.toUpperCase(),
      role: "owner",
    });
    expect(member.status).toBe(400);
    expect(member.text).toContain(`${team.viewer.email} is already a member`);

    const rows = await testConsole.database.db
      .select()
      .from(invitations)
      .where(eq(invitations.applicationId, team.application.id));
    expect(rows).toHaveLength(0);
  });

  it("replaces a pending invitation for the same email, so the earlier link dies", async () => {
    const team = await createTeam(testConsole.database);
    const owner = await signedInAgent(testConsole, team.owner);
    const email = `again-${unique()}@example.test`;

    const first = await invite(owner, team, email);
    const second = await invite(owner, team, email);
    expect((await request(testConsole.app).get(first.path)).status).toBe(404);
    expect((await request(testConsole.app).get(second.path)).status).toBe(200);
  });

  it("lets an owner withdraw an invitation, after which its link no longer works", async () => {
    const team = await createTeam(testConsole.database);
    const owner = await signedInAgent(testConsole, team.owner);
    const { path } = await invite(owner, team, `withdrawn-${unique()}@example.test`);
    const [row] = await testConsole.database.db
      .select({ id: invitations.id })
      .from(invitations)
      .where(eq(invitations.applicationId, team.application.id));

    await owner.post(`${membersPath(team)}/invitations/${row!.id}/revoke`).expect(303);
    expect((await request(testConsole.app).get(path)).status).toBe(404);
    expect(await eventsOf(team, "member.invitation_withdraw")).toHaveLength(1);
    const missing = await owner.post(`${membersPath(team)}/invitations/${row!.id}/revoke`);
    expect(missing.status).toBe(404);
  });
});

describe("accepting an invitation", () => {
  it("adds a signed-in person with the invited email, audited; the link works once", async () => {
    const team = await createTeam(testConsole.database);
    const owner = await signedInAgent(testConsole, team.owner);
    const invitee = await createUser(testConsole.database);
    const { path } = await invite(owner, team, invitee.email.toUpperCase(), "editor");

    const client = await signedInAgent(testConsole, invitee);
    const page = await client.get(path).expect(200);
    expect(page.text).toContain(`Join ${team.application.name}`);
    const response = await client.post(path).expect(303);
    expect(response.headers.location).toBe(`/apps/${team.application.slug}`);
    expect(await roleOf(team, invitee.id)).toBe("editor");
    const [event] = await eventsOf(team, "member.join");
    expect(event).toMatchObject({ actorId: invitee.id });

    const replay = await client.post(path);
    expect(replay.status).toBe(404);
    expect((await client.get(path)).status).toBe(404);
  });

  it("refuses a person signed in with another email, and changes nothing", async () => {
    const team = await createTeam(testConsole.database);
    const owner = await signedInAgent(testConsole, team.owner);
    const { path } = await invite(owner, team, `someone-${unique()}@example.test`);
    const intruder = await createUser(testConsole.database);
    const client = await signedInAgent(testConsole, intruder);

    const page = await client.get(path);
    expect(page.status).toBe(403);
    expect(page.text).toContain("Sign out, then open the link again.");
    const response = await client.post(path);
    expect(response.status).toBe(403);
    expect(await roleOf(team, intruder.id)).toBeUndefined();
    expect((await request(testConsole.app).get(path)).status).toBe(200);
  });

  it("lets an invited person without an account create one and join, signed in", async () => {
    const team = await createTeam(testConsole.database);
    const owner = await signedInAgent(testConsole, team.owner);
    const email = `fresh-${unique()}@example.test`;
    const { path } = await invite(owner, team, email, "viewer");

    const visitor = await anonymousAgent(testConsole, path);
    const refused = await visitor.post(path, { name: "Fresh", password: "short" });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("Use at least 12 characters.");

    const response = await visitor
      .post(path, { name: "Fresh Person", password: "a good long password" })
      .expect(303);
    expect(response.headers.location).toBe(`/apps/${team.application.slug}`);
    const [user] = await testConsole.database.db.select().from(users).where(eq(users.email, email));
    expect(user!.name).toBe("Fresh Person");
    expect(await roleOf(team, user!.id)).toBe("viewer");

    const cookie = sessionCookieFrom(testConsole, response)!;
    const landing = await request(testConsole.app)
      .get(`${membersPath(team)}`)
      .set("Cookie", cookie)
      .expect(200);
    expect(landing.text).toContain(`Welcome. You joined ${team.application.name}.`);
  });

  it("asks an invited person with an account to sign in, not to make another", async () => {
    const team = await createTeam(testConsole.database);
    const owner = await signedInAgent(testConsole, team.owner);
    const invitee = await createUser(testConsole.database);
    const { path } = await invite(owner, team, invitee.email);

    const visitor = await anonymousAgent(testConsole);
    const page = await visitor.get(path).expect(200);
    expect(page.text).toContain(`/sign-in?next=${encodeURIComponent(path)}`);
    const response = await visitor.post(path, {
      name: "Impostor",
      password: "a good long password",
    });
    expect(response.status).toBe(409);
    expect(await roleOf(team, invitee.id)).toBeUndefined();
  });

  it("refuses an expired invitation", async () => {
    const team = await createTeam(testConsole.database);
    const owner = await signedInAgent(testConsole, team.owner);
    const invitee = await createUser(testConsole.database);
    const { path, token } = await invite(owner, team, invitee.email);
    await testConsole.database.db
      .update(invitations)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(invitations.tokenHash, hashToken(token)));

    const client = await signedInAgent(testConsole, invitee);
    expect((await client.get(path)).status).toBe(404);
    expect((await client.post(path)).status).toBe(404);
    expect(await roleOf(team, invitee.id)).toBeUndefined();
  });
});

describe("roles and removal", () => {
  it("lets an owner change a member's role, audited with the old and new role", async () => {
    const team = await createTeam(testConsole.database);
    const owner = await signedInAgent(testConsole, team.owner);

    await owner.post(`${membersPath(team)}/${team.viewer.id}/role`, { role: "owner" }).expect(303);
    expect(await roleOf(team, team.viewer.id)).toBe("owner");
    const [event] = await eventsOf(team, "member.role");
    expect(event!.detail).toMatchObject({ from: "viewer", to: "owner" });
    expect(event!.actorId).toBe(team.owner.id);
  });

  it("never demotes or removes the last owner, and says why", async () => {
    const team = await createTeam(testConsole.database);
    const owner = await signedInAgent(testConsole, team.owner);

    const demote = await owner.post(`${membersPath(team)}/${team.owner.id}/role`, {
      role: "editor",
    });
    expect(demote.status).toBe(409);
    expect(demote.text).toContain("An application always keeps at least one owner.");
    const remove = await owner.post(`${membersPath(team)}/${team.owner.id}/remove`);
    expect(remove.status).toBe(409);
    expect(await roleOf(team, team.owner.id)).toBe("owner");
    expect(await eventsOf(team, "member.role")).toHaveLength(0);
  });

  it("lets an owner step down once another owner exists", async () => {
    const team = await createTeam(testConsole.database);
    const owner = await signedInAgent(testConsole, team.owner);
    await owner.post(`${membersPath(team)}/${team.editor.id}/role`, { role: "owner" }).expect(303);

    const response = await owner
      .post(`${membersPath(team)}/${team.owner.id}/role`, { role: "viewer" })
      .expect(303);
    // No longer an owner, they land where a viewer starts.
    expect(response.headers.location).toBe(applicationHome(team.application.slug, "viewer"));
    expect(await roleOf(team, team.owner.id)).toBe("viewer");
    expect((await owner.get(`/apps/${team.application.slug}/settings`)).status).toBe(403);
  });

  it("removes a member, who then gets 404 for the application", async () => {
    const team = await createTeam(testConsole.database);
    const owner = await signedInAgent(testConsole, team.owner);
    const viewer = await signedInAgent(testConsole, team.viewer);
    await viewer.get(membersPath(team)).expect(200);

    await owner.post(`${membersPath(team)}/${team.viewer.id}/remove`).expect(303);
    expect(await roleOf(team, team.viewer.id)).toBeUndefined();
    expect((await viewer.get(membersPath(team))).status).toBe(404);
    const [event] = await eventsOf(team, "member.remove");
    expect(event!.detail).toMatchObject({ role: "viewer" });
  });

  it("answers 404 for a member id that is not a member here, or not an id at all", async () => {
    const team = await createTeam(testConsole.database);
    const owner = await signedInAgent(testConsole, team.owner);
    const stranger = await createUser(testConsole.database);

    for (const id of [stranger.id, "not-an-id"]) {
      const response = await owner.post(`${membersPath(team)}/${id}/role`, { role: "owner" });
      expect(response.status).toBe(404);
    }
    expect(await roleOf(team, stranger.id)).toBeUndefined();
  });

  it("shows viewers the members without any form to change them", async () => {
    const team = await createTeam(testConsole.database);
    const viewer = await signedInAgent(testConsole, team.viewer);
    const page = await viewer.get(membersPath(team)).expect(200);
    expect(page.text).toContain(team.owner.email);
    expect(page.text).not.toContain('/role"');
    expect(page.text).not.toContain("Invite a member");
  });
});
