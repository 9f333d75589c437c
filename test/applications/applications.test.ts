import { and, asc, eq } from "drizzle-orm";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slugFromName } from "../../src/applications/applications.ts";
import { CONFIGURATION_TABS } from "../../src/applications/navigation.ts";
import { applications, memberships } from "../../src/applications/tables.ts";
import { auditEvents } from "../../src/audit/tables.ts";
import { environments } from "../../src/environments/tables.ts";
import { signedInAgent } from "../support/agent.ts";
import { createTestConsole, type TestConsole } from "../support/app.ts";
import { dumpTables } from "../support/dump.ts";
import { addMember, createApplication, createUser, unique } from "../support/factories.ts";

let testConsole: TestConsole;

beforeAll(async () => {
  testConsole = await createTestConsole();
});

afterAll(async () => {
  await testConsole.close();
});

async function findApplication(slug: string) {
  const [row] = await testConsole.database.db
    .select()
    .from(applications)
    .where(eq(applications.slug, slug));
  return row;
}

async function tablesWithoutSessions(): Promise<string> {
  const dump = await dumpTables(testConsole.database);
  delete dump["public.sessions"];
  return JSON.stringify(dump);
}

describe("creating an application", () => {
  it("creates it with Preview and Production, its creator as owner, audited", async () => {
    const user = await createUser(testConsole.database);
    const client = await signedInAgent(testConsole, user);
    const slug = `sales-sync-${unique()}`;

    const response = await client.post("/apps", { name: "Sales Sync", slug }).expect(303);
    expect(response.headers.location).toBe(`/apps/${slug}/configuration/secrets`);

    const application = (await findApplication(slug))!;
    expect(application).toMatchObject({ name: "Sales Sync", createdBy: user.id });
    const envs = await testConsole.database.db
      .select({ name: environments.name, slug: environments.slug, position: environments.position })
      .from(environments)
      .where(eq(environments.applicationId, application.id))
      .orderBy(asc(environments.position));
    expect(envs).toEqual([
      { name: "Preview", slug: "preview", position: 0 },
      { name: "Production", slug: "production", position: 1 },
    ]);
    const members = await testConsole.database.db
      .select({ userId: memberships.userId, role: memberships.role })
      .from(memberships)
      .where(eq(memberships.applicationId, application.id));
    expect(members).toEqual([{ userId: user.id, role: "owner" }]);
    const events = await testConsole.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.applicationId, application.id));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: "application.create", actorId: user.id });
    expect(events[0]!.actorName).toContain(user.email);

    // The page the form leads to shows the flash once, then it is gone.
    const next = await client.get(response.headers.location!).expect(200);
    expect(next.text).toContain("Sales Sync is created with Preview and Production.");
    const again = await client.get(`/apps/${slug}/configuration/members`).expect(200);
    expect(again.text).not.toContain("is created with");
  });

  it("derives the address from the name when it is left empty", async () => {
    const user = await createUser(testConsole.database);
    const client = await signedInAgent(testConsole, user);
    const name = `Équipe Ventes ${unique()}!`;

    const response = await client.post("/apps", { name, slug: "" }).expect(303);
    const slug = slugFromName(name);
    expect(slug).toMatch(/^equipe-ventes-[0-9a-f]{8}$/);
    expect(response.headers.location).toBe(`/apps/${slug}/configuration/secrets`);
    expect(await findApplication(slug)).toBeDefined();
  });

  it("refuses a bad, reserved or taken address, keeps the form, and changes nothing", async () => {
    const user = await createUser(testConsole.database);
    const client = await signedInAgent(testConsole, user);
    const taken = await createApplication(testConsole.database, user);
    const before = await tablesWithoutSessions();

    for (const [slug, message] of [
      ["Has Spaces", "Use 1 to 63 lower-case letters"],
      ["-leading-dash", "Use 1 to 63 lower-case letters"],
      ["x".repeat(64), "Use 1 to 63 lower-case letters"],
      ["new", "reserved"],
      [taken.slug, `The address ${taken.slug} is taken`],
    ]) {
      const response = await client.post("/apps", { name: "Kept Name", slug: slug! });
      expect(response.status, slug).toBe(400);
      expect(response.text).toContain(message);
      expect(response.text).toContain('value="Kept Name"');
      expect(response.text).toContain('<label for="field-slug">');
    }
    const empty = await client.post("/apps", { name: "", slug: "" });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain("Enter a name for the application.");
    expect(await tablesWithoutSessions()).toBe(before);
  });
});

describe("the applications list", () => {
  it("lists only the applications the signed-in person belongs to, with their role", async () => {
    const user = await createUser(testConsole.database);
    const other = await createUser(testConsole.database);
    const mine = await createApplication(testConsole.database, user);
    const shared = await createApplication(testConsole.database, other);
    const notMine = await createApplication(testConsole.database, other);
    await addMember(testConsole.database, shared, user, "viewer");

    const client = await signedInAgent(testConsole, user);
    const page = await client.get("/").expect(200);
    expect(page.text).toContain(mine.name);
    expect(page.text).toContain(shared.name);
    expect(page.text).toMatch(
      new RegExp(`${shared.name}</a></td>\\s*<td><code>[^<]*</code></td>\\s*<td>Viewer`),
    );
    expect(page.text).not.toContain(notMine.name);
  });

  it("sends a visitor without a session to sign in", async () => {
    const response = await request(testConsole.app).get("/");
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe("/sign-in?next=%2F");
  });
});

describe("an application's pages", () => {
  it("opens an application on its first Configuration tab", async () => {
    const user = await createUser(testConsole.database);
    const application = await createApplication(testConsole.database, user);
    const client = await signedInAgent(testConsole, user);

    const response = await client.get(`/apps/${application.slug}`).expect(303);
    const first = CONFIGURATION_TABS[0]!.path;
    expect(response.headers.location).toBe(`/apps/${application.slug}${first}`);
  });

  it("shows the application's name, the Configuration bar, its tabs and Sign out", async () => {
    const user = await createUser(testConsole.database);
    const application = await createApplication(testConsole.database, user);
    const client = await signedInAgent(testConsole, user);

    const page = await client.get(`/apps/${application.slug}/configuration/members`).expect(200);
    expect(page.text).toContain(`<h1 class="app-name">${application.name}</h1>`);
    expect(page.text).toMatch(
      /<nav class="app-sections" aria-label="Application">[\s\S]*Configuration/,
    );
    expect(page.text).toMatch(
      /<nav class="tabs" aria-label="Configuration">[\s\S]*aria-current="page">Members</,
    );
    for (const tab of CONFIGURATION_TABS) expect(page.text).toContain(`>${tab.label}</a>`);
    expect(page.text).toContain('<form method="post" action="/sign-out"');
    expect(page.text).not.toMatch(/<script/);
  });

  it("labels every field of every form", async () => {
    const user = await createUser(testConsole.database);
    const application = await createApplication(testConsole.database, user);
    const client = await signedInAgent(testConsole, user);

    for (const path of [
      "/apps/new",
      "/account",
      `/apps/${application.slug}/settings`,
      `/apps/${application.slug}/configuration/members`,
    ]) {
      const html = (await client.get(path).expect(200)).text;
      const ids = [
        ...html.matchAll(/<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\sid="([^"]+)"/g),
      ].map((match) => match[1]);
      const fields = html.match(/<(?:input|select|textarea)(?![^>]*type="hidden")/g) ?? [];
      expect(ids.length, path).toBe(fields.length);
      for (const id of ids) expect(html, `${path} #${id}`).toContain(`<label for="${id}"`);
    }
  });

  it("lets an owner rename the application, audited, and keeps its address", async () => {
    const user = await createUser(testConsole.database);
    const application = await createApplication(testConsole.database, user);
    const client = await signedInAgent(testConsole, user);

    const response = await client
      .post(`/apps/${application.slug}/settings`, { name: "  New Name  " })
      .expect(303);
    expect(response.headers.location).toBe(`/apps/${application.slug}/settings`);
    expect((await findApplication(application.slug))!.name).toBe("New Name");
    const [event] = await testConsole.database.db
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.applicationId, application.id),
          eq(auditEvents.action, "application.rename"),
        ),
      );
    expect(event!.detail).toEqual({ from: application.name, to: "New Name" });
  });

  it("refuses an empty name and keeps the old one", async () => {
    const user = await createUser(testConsole.database);
    const application = await createApplication(testConsole.database, user);
    const client = await signedInAgent(testConsole, user);

    const response = await client.post(`/apps/${application.slug}/settings`, { name: "   " });
    expect(response.status).toBe(400);
    expect(response.text).toContain("Enter a name for the application.");
    expect((await findApplication(application.slug))!.name).toBe(application.name);
  });

  it("shows Settings in the bar to owners only", async () => {
    const owner = await createUser(testConsole.database);
    const viewer = await createUser(testConsole.database);
    const application = await createApplication(testConsole.database, owner);
    await addMember(testConsole.database, application, viewer, "viewer");
    const path = `/apps/${application.slug}/configuration/members`;

    const asOwner = (await (await signedInAgent(testConsole, owner)).get(path)).text;
    const asViewer = (await (await signedInAgent(testConsole, viewer)).get(path)).text;
    expect(asOwner).toContain(`href="/apps/${application.slug}/settings"`);
    expect(asViewer).not.toContain(`href="/apps/${application.slug}/settings"`);
    expect(asViewer).not.toContain("Invite a member");
  });
});
