// A valid example request for application routes, used by test/applications/access.test.ts
// to prove every route's checks. Each state-changing route under /apps/:app needs an entry,
// keyed "METHOD /path" exactly as declared; so does a page whose path has parameters. The
// access test fails and names any route that has none.
//
// An example must succeed for the application's owner and change the database: that is what
// makes "a viewer gets 403 and nothing changes" mean something.

import type { ApplicationRoute } from "../../src/applications/access.ts";
import { findInvitation, inviteMember } from "../../src/applications/invitations.ts";
import { saveConsoleFeature } from "../../src/features/features.ts";
import { createRuntimeToken } from "../../src/runtime/tokens.ts";
import { runStoredCheck } from "../../src/salesforce/checks.ts";
import { savePendingImport } from "../../src/secrets/bulk.ts";
import { addSecret, deleteSecret, editSecret } from "../../src/secrets/changes.ts";
import { listDeletedSecrets } from "../../src/secrets/queries.ts";
import type { Form } from "./agent.ts";
import type { TestConsole } from "./app.ts";
import { type TestTeam, unique } from "./factories.ts";

export interface ExampleContext {
  testConsole: TestConsole;
  /** The application the request is for, with an owner, an editor and a viewer. */
  team: TestTeam;
}

export interface ExampleRequest {
  /** Values for the route's :parameters. */
  params?: Record<string, string>;
  form?: Form;
}

export type RouteExample = (context: ExampleContext) => ExampleRequest | Promise<ExampleRequest>;

export const ROUTE_EXAMPLES: Record<string, RouteExample> = {
  "POST /settings": () => ({ form: { name: `Renamed ${unique()}` } }),

  "POST /configuration/members/invitations": () => ({
    form: { email: `invitee-${unique()}@example.test`, role: "viewer" },
  }),

  "POST /configuration/members/invitations/:invitationId/revoke": async ({ testConsole, team }) => {
    const { db } = testConsole.database;
    const { token } = await inviteMember(db, team.owner, team.application, {
      email: `invitee-${unique()}@example.test`,
      role: "editor",
    });
    const invitation = await findInvitation(db, token);
    return { params: { invitationId: invitation!.id } };
  },

  "POST /configuration/members/:userId/role": ({ team }) => ({
    params: { userId: team.viewer.id },
    form: { role: "editor" },
  }),

  "POST /configuration/members/:userId/remove": ({ team }) => ({
    params: { userId: team.viewer.id },
  }),
};

/** A secret in the team's Preview, at `versions` versions, made through the real code. */
async function secretIn(
  { testConsole, team }: ExampleContext,
  versions = 1,
): Promise<{ name: string; secretId?: string }> {
  const deps = { database: testConsole.database, keyring: testConsole.keyring };
  const place = { application: team.application, environment: team.application.environments[0]! };
  const actor = { id: team.owner.id, name: team.owner.name };
  const name = `EXAMPLE_${unique().toUpperCase()}`;
  await addSecret(deps, actor, place, name, "example value");
  for (let version = 1; version < versions; version++) {
    await editSecret(deps, actor, place, name, `example value ${version + 1}`, version);
  }
  return { name };
}

/** A deleted secret of the team's Preview, by id. */
async function deletedSecretIn(context: ExampleContext): Promise<string> {
  const { name } = await secretIn(context);
  const deps = { database: context.testConsole.database, keyring: context.testConsole.keyring };
  const environment = context.team.application.environments[0]!;
  const place = { application: context.team.application, environment };
  await deleteSecret(deps, { id: context.team.owner.id, name: "x" }, place, name, 1);
  const [deleted] = await listDeletedSecrets(context.testConsole.database.db, environment.id);
  return deleted!.id;
}

const SECRET_EXAMPLES: Record<string, RouteExample> = {
  "GET /configuration/secrets/:env/new": () => ({ params: { env: "preview" } }),
  "POST /configuration/secrets/:env": () => ({
    params: { env: "preview" },
    form: { name: `EXAMPLE_${unique().toUpperCase()}`, value: "example value" },
  }),
  "GET /configuration/secrets/:env/:name/edit": async (context) => ({
    params: { env: "preview", name: (await secretIn(context)).name },
  }),
  "POST /configuration/secrets/:env/:name": async (context) => ({
    params: { env: "preview", name: (await secretIn(context)).name },
    form: { value: "a new value", version: "1" },
  }),
  "GET /configuration/secrets/:env/:name/versions": async (context) => ({
    params: { env: "preview", name: (await secretIn(context)).name },
  }),
  "POST /configuration/secrets/:env/:name/rollback": async (context) => ({
    params: { env: "preview", name: (await secretIn(context, 2)).name },
    form: { to: "1", version: "2" },
  }),
  "GET /configuration/secrets/:env/:name/delete": async (context) => ({
    params: { env: "preview", name: (await secretIn(context)).name },
  }),
  "POST /configuration/secrets/:env/:name/delete": async (context) => ({
    params: { env: "preview", name: (await secretIn(context)).name },
    form: { version: "1" },
  }),
  "GET /configuration/secrets/:env/deleted": () => ({ params: { env: "preview" } }),
  "POST /configuration/secrets/:env/deleted/:secretId/restore": async (context) => ({
    params: { env: "preview", secretId: await deletedSecretIn(context) },
  }),
  "GET /configuration/secrets/:env/import": () => ({ params: { env: "preview" } }),
  "POST /configuration/secrets/:env/import": () => ({
    params: { env: "preview" },
    form: { text: `EXAMPLE_${unique().toUpperCase()}=from a pasted file` },
  }),
  "POST /configuration/secrets/:env/import/:importId/apply": async ({ testConsole, team }) => {
    const deps = { database: testConsole.database, keyring: testConsole.keyring };
    const place = { application: team.application, environment: team.application.environments[0]! };
    const text = `EXAMPLE_${unique().toUpperCase()}=imported`;
    const importId = await savePendingImport(deps, place, team.owner.id, text);
    return { params: { env: "preview", importId }, form: { replace: "yes" } };
  },
  "GET /configuration/secrets/:env/copy": () => ({ params: { env: "preview" } }),
  "POST /configuration/secrets/:env/copy": async (context) => {
    await secretIn(context);
    return { params: { env: "preview" }, form: { target: "production", scope: "all" } };
  },
  "POST /configuration/environments": () => ({ form: { name: `Staging ${unique()}` } }),
  "POST /configuration/environments/:env/rename": () => ({
    params: { env: "preview" },
    form: { name: `Renamed ${unique()}` },
  }),
  "GET /configuration/environments/:env/remove": () => ({ params: { env: "production" } }),
  "POST /configuration/environments/:env/remove": () => ({
    params: { env: "production" },
    form: { confirmed: "yes" },
  }),
};

/**
 * The three Salesforce secrets in the team's Preview. The instance URL is a Lightning host, so
 * every check fails at its first step and no example sends a request anywhere.
 */
async function salesforceSecretsIn({ testConsole, team }: ExampleContext) {
  const deps = { database: testConsole.database, keyring: testConsole.keyring };
  const place = { application: team.application, environment: team.application.environments[0]! };
  const actor = { id: team.owner.id, name: team.owner.name };
  await addSecret(deps, actor, place, "SALESFORCE_CLIENT_ID", "3MVG9ExampleConsumerKey000000");
  await addSecret(deps, actor, place, "SALESFORCE_CLIENT_SECRET", "example consumer secret");
  await addSecret(
    deps,
    actor,
    place,
    "SALESFORCE_INSTANCE_URL",
    "https://example.lightning.force.com",
  );
  return { deps: { ...deps, allowInsecureLoopback: false }, place, actor };
}

const SALESFORCE_EXAMPLES: Record<string, RouteExample> = {
  "POST /integrations/salesforce/:env/check": async (context) => {
    await salesforceSecretsIn(context);
    return { params: { env: "preview" } };
  },
  "GET /integrations/salesforce/:env/checks/:checkId": async (context) => {
    const { deps, place, actor } = await salesforceSecretsIn(context);
    const check = await runStoredCheck(deps, actor, place, "manual");
    return { params: { env: "preview", checkId: check.id } };
  },
};

const RUNTIME_EXAMPLES: Record<string, RouteExample> = {
  "POST /configuration/runtime/tokens": () => ({
    form: { label: `web ${unique()}`, environment: "production" },
  }),
  "POST /configuration/runtime/tokens/:tokenId/revoke": async ({ testConsole, team }) => {
    const actor = { id: team.owner.id, name: team.owner.name };
    const environment = team.application.environments[0]!;
    const created = await createRuntimeToken(
      testConsole.database.db,
      actor,
      team.application,
      environment,
      `worker ${unique()}`,
    );
    return { params: { tokenId: created.id } };
  },
};

const FEATURE_EXAMPLES: Record<string, RouteExample> = {
  "POST /configuration/features": ({ team }) => ({
    form: {
      key: `feature-${unique()}`,
      name: "An example feature",
      secrets: "EXAMPLE_SECRET",
      environments: team.application.environments.map((environment) => environment.id),
    },
  }),
  "POST /configuration/features/:key/remove": async ({ testConsole, team }) => {
    const key = `feature-${unique()}`;
    await saveConsoleFeature(
      testConsole.database,
      { id: team.owner.id, name: team.owner.name },
      team.application.id,
      { key, name: "To remove", secrets: [] },
      team.application.environments,
      team.application.environments,
    );
    return { params: { key } };
  },
};

Object.assign(
  ROUTE_EXAMPLES,
  SECRET_EXAMPLES,
  SALESFORCE_EXAMPLES,
  RUNTIME_EXAMPLES,
  FEATURE_EXAMPLES,
);

export function routeKey(route: ApplicationRoute): string {
  return `${route.method} ${route.path}`;
}

/** The example for a route; a route without parameters or a body needs none. */
export async function exampleFor(
  route: ApplicationRoute,
  context: ExampleContext,
): Promise<ExampleRequest> {
  const example = ROUTE_EXAMPLES[routeKey(route)];
  if (example) return example(context);
  if (route.method === "GET" && !route.path.includes(":")) return {};
  throw new Error(`${routeKey(route)} has no example; add one to test/support/route-examples.ts`);
}

/** The URL of a route of an application, its :parameters filled in from the example. */
export function urlFor(slug: string, route: ApplicationRoute, example: ExampleRequest): string {
  const path = route.path.replace(/:(\w+)/g, (_, name: string) => {
    const value = example.params?.[name];
    if (value === undefined) throw new Error(`the example for ${routeKey(route)} lacks :${name}`);
    return encodeURIComponent(value);
  });
  return `/apps/${slug}${path === "/" ? "" : path}`;
}
