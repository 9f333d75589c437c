// Before a secret is deleted, the console says what will break: declared features, features
// seen reading it, and integrations; a recent read makes the owner type the secret's name.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { secretReads } from "../../src/core/db/schema.ts";
import { type SignedInAgent, signedInAgent } from "../support/agent.ts";
import { createTestConsole, type TestConsole } from "../support/app.ts";
import { dumpTables } from "../support/dump.ts";
import { createTeam, type TestTeam } from "../support/factories.ts";

let testConsole: TestConsole;

beforeAll(async () => {
  testConsole = await createTestConsole();
});

afterAll(async () => {
  await testConsole.close();
});

interface Setup {
  team: TestTeam;
  owner: SignedInAgent;
  app: string;
  secrets: string;
}

async function setup(): Promise<Setup> {
  const team = await createTeam(testConsole.database);
  const owner = await signedInAgent(testConsole, team.owner);
  const app = `/apps/${team.application.slug}`;
  return { team, owner, app, secrets: `${app}/configuration/secrets` };
}

function environmentId(s: Setup, slug: string): string {
  return s.team.application.environments.find((e) => e.slug === slug)!.id;
}

async function recordRead(s: Setup, slug: string, name: string, feature: string, at: Date) {
  await testConsole.database.db.insert(secretReads).values({
    environmentId: environmentId(s, slug),
    secretName: name,
    featureKey: feature,
    day: at.toISOString().slice(0, 10),
    reads: 40,
    lastReadAt: at,
  });
}

describe("the delete confirmation", () => {
  it("lists a console feature in its environment only, or says nothing depends", async () => {
    const s = await setup();
    await s.owner.post(`${s.secrets}/preview`, {
      name: "REPORT_KEY",
      value: "v",
      environments: ["preview", "production"],
    });
    await s.owner
      .post(`${s.app}/configuration/features`, {
        key: "weekly-report",
        name: "Weekly report",
        secrets: "REPORT_KEY",
        environments: environmentId(s, "preview"),
      })
      .expect(303);

    const preview = await s.owner.get(`${s.secrets}/preview/REPORT_KEY/delete`).expect(200);
    expect(preview.text).toContain("Weekly report");
    expect(preview.text).toContain("weekly-report");

    const production = await s.owner.get(`${s.secrets}/production/REPORT_KEY/delete`).expect(200);
    expect(production.text).not.toContain("Weekly report");
    expect(production.text).toContain("Nothing is known to depend on");
  });

  it("names an undeclared feature seen reading, with its count and last read", async () => {
    const s = await setup();
    await s.owner.post(`${s.secrets}/preview`, { name: "SEEN", value: "v" });
    await recordRead(s, "preview", "SEEN", "nightly-sync", new Date(Date.now() - 3 * 86_400_000));

    const page = await s.owner.get(`${s.secrets}/preview/SEEN/delete`).expect(200);
    expect(page.text).toMatch(/Read by an undeclared feature <code>nightly-sync<\/code> 40 times/);
    expect(page.text).not.toContain("Type SEEN to confirm");
  });

  it("lists the Salesforce connection for its secrets", async () => {
    const s = await setup();
    await s.owner.post(`${s.secrets}/preview`, { name: "SALESFORCE_CLIENT_ID", value: "v" });
    const page = await s.owner.get(`${s.secrets}/preview/SALESFORCE_CLIENT_ID/delete`);
    expect(page.text).toContain("Salesforce connection");
  });

  it("asks for the name after a read in the last 24 hours and refuses a wrong one", async () => {
    const s = await setup();
    await s.owner.post(`${s.secrets}/preview`, { name: "HOT", value: "v" });
    await recordRead(s, "preview", "HOT", "checkout", new Date(Date.now() - 3_600_000));

    const page = await s.owner.get(`${s.secrets}/preview/HOT/delete`).expect(200);
    expect(page.text).toContain("Type HOT to confirm");

    const before = await dumpTables(testConsole.database);
    const missing = await s.owner.post(`${s.secrets}/preview/HOT/delete`, { version: "1" });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain("Type HOT to confirm; it was read recently.");
    await s.owner
      .post(`${s.secrets}/preview/HOT/delete`, { version: "1", confirmName: "HOTT" })
      .expect(400);
    expect(await dumpTables(testConsole.database)).toEqual(before);

    await s.owner
      .post(`${s.secrets}/preview/HOT/delete`, { version: "1", confirmName: "HOT" })
      .expect(303);
  });
});

describe("the shorter lists", () => {
  it("shows who receives a new value on Edit, and a badge on the Secrets tab", async () => {
    const s = await setup();
    await s.owner.post(`${s.secrets}/preview`, { name: "SHARED_KEY", value: "v" });
    await s.owner.post(`${s.secrets}/preview`, { name: "LONELY_KEY", value: "v" });
    for (const key of ["billing", "exports"]) {
      await s.owner
        .post(`${s.app}/configuration/features`, {
          key,
          name: `Feature ${key}`,
          secrets: "SHARED_KEY",
          environments: environmentId(s, "preview"),
        })
        .expect(303);
    }
    await recordRead(s, "preview", "SHARED_KEY", "undeclared-cron", new Date());

    const edit = await s.owner.get(`${s.secrets}/preview/SHARED_KEY/edit`).expect(200);
    expect(edit.text).toContain("Who will receive the new value");
    expect(edit.text).toContain("Feature billing");
    expect(edit.text).toContain("undeclared-cron");

    const tab = await s.owner.get(`${s.secrets}?environment=preview`).expect(200);
    expect(tab.text).toMatch(
      /SHARED_KEY<\/code> <span class="badge badge-info">used by 3 features/,
    );
    expect(tab.text).not.toMatch(/LONELY_KEY<\/code> <span class="badge/);
  });
});

describe("readiness", () => {
  it("flags a secret added to Preview but missing in Production", async () => {
    const s = await setup();
    await s.owner.post(`${s.secrets}/preview`, { name: "DASHBOARD_TOKEN", value: "v" });
    await s.owner
      .post(`${s.app}/configuration/features`, {
        key: "opportunity-dashboard",
        name: "Opportunity dashboard",
        secrets: "DASHBOARD_TOKEN",
        environments: [environmentId(s, "preview"), environmentId(s, "production")],
      })
      .expect(303);

    const page = await s.owner.get(`${s.app}/configuration/features`).expect(200);
    const row = page.text.match(/<th scope="row">Opportunity dashboard[\s\S]*?<\/tr>/)![0];
    const cells = [...row.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) =>
      m[1]!
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim(),
    );
    expect(cells).toEqual(["DASHBOARD_TOKEN", "Ready", "Missing DASHBOARD_TOKEN"]);
  });

  it("refuses a bad key, secret name or name, or no environment, changing nothing", async () => {
    const s = await setup();
    const before = await dumpTables(testConsole.database);
    const form = {
      key: "ok-key",
      name: "Fine",
      secrets: "A",
      environments: environmentId(s, "preview"),
    };
    await s.owner.post(`${s.app}/configuration/features`, { ...form, key: "Bad Key" }).expect(400);
    await s.owner
      .post(`${s.app}/configuration/features`, { ...form, secrets: "no-dash!" })
      .expect(400);
    await s.owner.post(`${s.app}/configuration/features`, { ...form, name: "" }).expect(400);
    await s.owner
      .post(`${s.app}/configuration/features`, { key: "ok-key", name: "Fine", secrets: "A" })
      .expect(400);
    expect(await dumpTables(testConsole.database)).toEqual(before);
  });
});
