// Shared setup for the HTTP tests of the Salesforce pages: a console that may reach a local fake
// org, a team, the owner's client, and the three secrets stored through the Secrets tab.

import { and, desc, eq } from "drizzle-orm";
import { expect } from "vitest";
import { auditEvents, connectionChecks } from "../../src/core/db/schema.ts";
import { type SignedInAgent, signedInAgent } from "../support/agent.ts";
import { createTestConsole, type TestConsole } from "../support/app.ts";
import { createTeam, type TestTeam } from "../support/factories.ts";
import type { FakeSalesforce, FakeSalesforceState } from "../support/fake-salesforce.ts";
import { CLIENT_ID, fakeOrg, SECRET } from "./check-helpers.ts";

export function createSalesforceConsole(): Promise<TestConsole> {
  return createTestConsole({ SALESFORCE_ALLOW_INSECURE_LOOPBACK: "1" });
}

export interface Setup {
  testConsole: TestConsole;
  team: TestTeam;
  owner: SignedInAgent;
  fake: FakeSalesforce;
  /** /apps/:app/configuration/secrets */
  secrets: string;
  /** /apps/:app/integrations/salesforce */
  integration: string;
  preview: TestTeam["application"]["environments"][number];
}

export async function setup(
  testConsole: TestConsole,
  state: Partial<FakeSalesforceState> = {},
): Promise<Setup> {
  const team = await createTeam(testConsole.database);
  const owner = await signedInAgent(testConsole, team.owner);
  const fake = await fakeOrg(state);
  const app = `/apps/${team.application.slug}`;
  return {
    testConsole,
    team,
    owner,
    fake,
    secrets: `${app}/configuration/secrets`,
    integration: `${app}/integrations/salesforce`,
    preview: team.application.environments[0]!,
  };
}

export type SalesforceValues = Partial<
  Record<"SALESFORCE_CLIENT_ID" | "SALESFORCE_CLIENT_SECRET" | "SALESFORCE_INSTANCE_URL", string>
>;

/** Adds the secrets through Add secret; by default the three that the fake org accepts. */
export async function addSalesforceSecrets(
  s: Setup,
  values: SalesforceValues = {
    SALESFORCE_CLIENT_ID: CLIENT_ID,
    SALESFORCE_CLIENT_SECRET: SECRET,
    SALESFORCE_INSTANCE_URL: s.fake.url,
  },
  environment = "preview",
): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    await s.owner.post(`${s.secrets}/${environment}`, { name, value }).expect(303);
  }
}

/** Runs Test connection and opens the page it leads to. */
export async function testConnection(s: Setup, environment = "preview") {
  const posted = await s.owner.post(`${s.integration}/${environment}/check`).expect(303);
  const location = posted.headers.location!;
  const page = await s.owner.get(location).expect(200);
  return { location, page };
}

/** The stored checks of an environment, newest first. */
export function storedChecks(s: Setup, environmentId = s.preview.id) {
  return s.testConsole.database.db
    .select()
    .from(connectionChecks)
    .where(eq(connectionChecks.environmentId, environmentId))
    .orderBy(desc(connectionChecks.ranAt));
}

export function checkAudits(s: Setup) {
  return s.testConsole.database.db
    .select()
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.applicationId, s.team.application.id),
        eq(auditEvents.action, "salesforce.connection_checked"),
      ),
    )
    .orderBy(desc(auditEvents.createdAt));
}

/** The outcome word of each step on a result page, in order: "instance-url:pass", ... */
export function shownSteps(html: string): string[] {
  const found = [...html.matchAll(/data-step="([^"]+)" data-status="([^"]+)"/g)];
  expect(found.length, "the page shows the steps of a check").toBeGreaterThan(0);
  return found.map((match) => `${match[1]}:${match[2]}`);
}

export const ALL_PASS = [
  "instance-url:pass",
  "salesforce-host:pass",
  "token:pass",
  "read-access:pass",
  "api-usage:pass",
];

export const TOKEN_FAILS = [
  "instance-url:pass",
  "salesforce-host:pass",
  "token:fail",
  "read-access:skipped",
  "api-usage:skipped",
];
