// Walks the registry of application routes: every page and action declared under /apps/:app,
// including those added after this file was written, gets the same checks.

import request from "supertest";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ApplicationRoute,
  applicationRoutesOf,
  registeredApplicationRoutes,
} from "../../src/applications/access.ts";
import type { Role } from "../../src/applications/roles.ts";
import { type SignedInAgent, signedInAgent } from "../support/agent.ts";
import { createTestConsole } from "../support/app.ts";
import { dumpTables } from "../support/dump.ts";
import { createTeam, type TestTeam } from "../support/factories.ts";
import { exampleFor, ROUTE_EXAMPLES, routeKey, urlFor } from "../support/route-examples.ts";

const testConsole = await createTestConsole();

afterAll(async () => {
  await testConsole.close();
});

const routes = registeredApplicationRoutes(testConsole.app);
const actions = routes.filter((route) => route.method !== "GET");
const pages = routes.filter((route) => route.method === "GET");
/** The roles below each role, named as a test title reads them. */
const LOWER_ROLES: Record<Role, [string, Role][]> = {
  owner: [
    ["a viewer", "viewer"],
    ["an editor", "editor"],
  ],
  editor: [["a viewer", "viewer"]],
  viewer: [],
};

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

type State = Record<string, string[]>;

/** Every row of every table as text; a session's last-seen time moves on reads and is left out. */
async function state(): Promise<State> {
  const dump = await dumpTables(testConsole.database);
  for (const row of dump["public.sessions"] ?? []) delete row.last_seen_at;
  return Object.fromEntries(
    Object.entries(dump).map(([table, rows]) => [table, rows.map((row) => JSON.stringify(row))]),
  );
}

/** The rows added and removed per table since `before`; {} when nothing changed. */
async function changesSince(before: State): Promise<Record<string, unknown>> {
  const after = await state();
  const changes: Record<string, unknown> = {};
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = new Set(before[table] ?? []);
    const now = new Set(after[table] ?? []);
    const added = [...now].filter((row) => !was.has(row));
    const removed = [...was].filter((row) => !now.has(row));
    if (added.length > 0 || removed.length > 0) changes[table] = { added, removed };
  }
  return changes;
}

/** The rows that belong to one application, in every table that names it. */
async function rowsOf(applicationId: string): Promise<string> {
  const dump = await dumpTables(testConsole.database);
  const owned = Object.entries(dump).map(([table, rows]) => [
    table,
    rows.filter((row) => row.application_id === applicationId || row.id === applicationId),
  ]);
  return JSON.stringify(owned);
}

async function world() {
  const team = await createTeam(testConsole.database);
  const other = await createTeam(testConsole.database);
  return { team, other };
}

function send(
  client: SignedInAgent,
  route: ApplicationRoute,
  url: string,
  form: Record<string, string | string[]> = {},
  csrf?: string | null,
) {
  return route.method === "GET" ? client.get(url) : client.post(url, form, { csrf });
}

async function as(team: TestTeam, role: Role): Promise<SignedInAgent> {
  return signedInAgent(testConsole, team[role]);
}

it("finds the application routes this issue declares", () => {
  const keys = routes.map(routeKey);
  expect(keys).toEqual(
    expect.arrayContaining([
      "GET /configuration/members",
      "POST /configuration/members/invitations",
      "POST /configuration/members/:userId/role",
      "POST /configuration/members/:userId/remove",
      "POST /settings",
    ]),
  );
  for (const route of routes) expect(["owner", "editor", "viewer"]).toContain(route.role);
});

it("has no route below /apps/:app that skipped the declaration of its role", () => {
  // Anything added to the router directly, not through get/post, would appear here only.
  const stack = applicationRoutesOf(testConsole.app)!.router.stack;
  const mounted = stack.map((layer) => {
    const route = layer.route as { path: string; methods: Record<string, boolean> } | undefined;
    const method = Object.keys(route?.methods ?? {})[0]?.toUpperCase() ?? "USE";
    return `${method} ${route?.path ?? "(middleware)"}`;
  });
  expect(mounted.sort()).toEqual(routes.map(routeKey).sort());
});

describe.each(actions.map((route) => [routeKey(route), route] as const))("%s", (key, route) => {
  it("has an example request in test/support/route-examples.ts", () => {
    expect(ROUTE_EXAMPLES[key], `add "${key}" to ROUTE_EXAMPLES`).toBeTypeOf("function");
  });

  it(`works for a member with the role it declares (${route.role})`, async () => {
    const { team } = await world();
    const client = await as(team, route.role);
    const example = await exampleFor(route, { testConsole, team });
    const before = await state();

    const response = await send(
      client,
      route,
      urlFor(team.application.slug, route, example),
      example.form,
    );
    expect(response.status, response.text).toBeLessThan(400);
    expect(await changesSince(before)).not.toEqual({});
  });

  it.each(LOWER_ROLES[route.role])("refuses %s with 403 and changes nothing", async (_, role) => {
    const { team } = await world();
    const client = await as(team, role);
    const example = await exampleFor(route, { testConsole, team });
    const before = await state();

    const response = await send(
      client,
      route,
      urlFor(team.application.slug, route, example),
      example.form,
    );
    expect(response.status).toBe(403);
    expect(await changesSince(before)).toEqual({});
  });

  it("refuses a missing, wrong or foreign CSRF token with 403 and changes nothing", async () => {
    const { team, other } = await world();
    const example = await exampleFor(route, { testConsole, team });
    const url = urlFor(team.application.slug, route, example);
    const client = await as(team, "owner");
    const stranger = await as(other, "owner");
    const before = await state();

    for (const csrf of [null, "", "wrong-token", `${client.csrfToken}x`, stranger.csrfToken]) {
      const response = await send(client, route, url, example.form, csrf);
      expect(response.status, `with _csrf=${csrf}`).toBe(403);
    }
    // Without any session: no session token and no pre-session cookie to match.
    const response = await request(testConsole.app)
      .post(url)
      .type("form")
      .send({ ...example.form, _csrf: "x" });
    expect(response.status).toBe(403);
    expect(await changesSince(before)).toEqual({});
  });

  it("answers 404 to a member of another application and changes nothing", async () => {
    const { team, other } = await world();
    const stranger = await as(other, "owner");
    const example = await exampleFor(route, { testConsole, team });
    const before = await state();

    const response = await send(
      stranger,
      route,
      urlFor(team.application.slug, route, example),
      example.form,
    );
    expect(response.status).toBe(404);
    expect(response.text).not.toContain(team.application.name);
    expect(await changesSince(before)).toEqual({});
  });

  it("cannot reach another application's records through its own address", async () => {
    const { team, other } = await world();
    const client = await as(team, "owner");
    const foreign = await exampleFor(route, { testConsole, team: other });
    const takesIds = UUID.test(JSON.stringify(foreign));
    const before = await state();
    const otherBefore = await rowsOf(other.application.id);

    // The other application's ids, sent to this application's address by its owner.
    const url = urlFor(team.application.slug, route, foreign);
    const response = await send(client, route, url, foreign.form);
    expect(await rowsOf(other.application.id)).toBe(otherBefore);
    if (takesIds) {
      expect([400, 404]).toContain(response.status);
      expect(await changesSince(before)).toEqual({});
    }
  });
});

describe.each(pages.map((route) => [routeKey(route), route] as const))("%s", (_key, route) => {
  it("answers 404 to a member of another application, saying nothing of it", async () => {
    const { team, other } = await world();
    const example = await exampleFor(route, { testConsole, team });

    const stranger = await as(other, "owner");
    const response = await stranger.get(urlFor(team.application.slug, route, example));
    expect(response.status).toBe(404);
    expect(response.text).not.toContain(team.application.name);
  });

  it(`opens for a member with the role it declares (${route.role})`, async () => {
    const { team } = await world();
    const example = await exampleFor(route, { testConsole, team });

    const client = await as(team, route.role);
    const response = await client.get(urlFor(team.application.slug, route, example));
    expect(response.status, response.text).toBeLessThan(400);
  });

  it.each(LOWER_ROLES[route.role])("refuses %s with 403", async (_, role) => {
    const { team } = await world();
    const example = await exampleFor(route, { testConsole, team });

    const client = await as(team, role);
    const response = await client.get(urlFor(team.application.slug, route, example));
    expect(response.status).toBe(403);
  });

  it("sends a visitor without a session to sign in", async () => {
    const { team } = await world();
    const example = await exampleFor(route, { testConsole, team });
    const url = urlFor(team.application.slug, route, example);

    const response = await request(testConsole.app).get(url);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`/sign-in?next=${encodeURIComponent(url)}`);
  });
});

it("answers 404 for an application that does not exist, as for one that is not yours", async () => {
  const { team } = await world();
  const client = await as(team, "owner");
  const missing = await client.get("/apps/no-such-application/configuration/members");
  const invalid = await client.get("/apps/Not_A_Slug/configuration/members");
  expect(missing.status).toBe(404);
  expect(invalid.status).toBe(404);
});
