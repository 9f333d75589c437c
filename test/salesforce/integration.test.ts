// The Salesforce integration page and Test connection through HTTP, against a fake org: which
// secrets are set, the checklist, checks that pass and fail, stored and shown, and a missing
// secret that stops the check before any request.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedInAgent } from "../support/agent.ts";
import type { TestConsole } from "../support/app.ts";
import { CLIENT_ID, SECRET } from "./check-helpers.ts";
import {
  ALL_PASS,
  addSalesforceSecrets,
  checkAudits,
  createSalesforceConsole,
  setup,
  shownSteps,
  storedChecks,
  TOKEN_FAILS,
  testConnection,
} from "./console-helpers.ts";

let testConsole: TestConsole;

beforeAll(async () => {
  testConsole = await createSalesforceConsole();
});

afterAll(async () => {
  await testConsole.close();
});

describe("the integration page", () => {
  it("shows per environment which secrets are missing, with links that add them", async () => {
    const s = await setup(testConsole);
    await addSalesforceSecrets(s, { SALESFORCE_CLIENT_ID: "3MVG9SomeConsumerKey0000000000" });

    const page = await s.owner.get(s.integration).expect(200);
    expect(page.text).toContain(">Integrations</a>");
    expect(page.text).toContain("Preview");
    expect(page.text).toContain("Production");
    expect(page.text).toMatch(/SALESFORCE_CLIENT_ID<\/code><\/th>\s*<td>Set, <a[^>]*>v1</);
    const add = `${s.secrets}/preview/new?name=SALESFORCE_CLIENT_SECRET`;
    expect(page.text).toContain(`href="${add}"`);
    expect(page.text).toContain(`href="${s.secrets}/production/new?name=SALESFORCE_CLIENT_ID"`);
    expect(page.text).not.toContain(`href="${s.secrets}/preview/new?name=SALESFORCE_CLIENT_ID"`);
    expect(page.text).toContain("No connection check has run in Preview yet.");

    // The link opens Add secret with Secret name filled in.
    const form = await s.owner.get(add).expect(200);
    expect(form.text).toContain('value="SALESFORCE_CLIENT_SECRET"');
  });

  it("explains the setup in a checklist", async () => {
    const s = await setup(testConsole);
    const page = await s.owner.get(s.integration).expect(200);
    for (const words of [
      "External Client App",
      "<code>api</code> scope",
      "Enable Client Credentials Flow",
      "2 to 10 minutes",
      "read access only to\n      Opportunity, Account and Contact",
      "run-as user",
      "Manage Consumer Details",
      "<code>SALESFORCE_INSTANCE_URL</code>",
    ]) {
      expect(page.text).toContain(words);
    }
  });

  it("lets a viewer see the page and results, without add links or Test connection", async () => {
    const s = await setup(testConsole);
    await addSalesforceSecrets(s);
    const { location } = await testConnection(s);
    const viewer = await signedInAgent(testConsole, s.team.viewer);

    const page = await viewer.get(s.integration).expect(200);
    expect(page.text).toContain("Last connection check: <strong>Passed</strong>");
    expect(page.text).not.toContain("/new?name=");
    expect(page.text).not.toContain(`action="${s.integration}/preview/check"`);
    const result = await viewer.get(location).expect(200);
    expect(shownSteps(result.text)).toEqual(ALL_PASS);
    expect(result.text).not.toContain("Test connection again");
  });

  it("refuses Test connection to an editor and a viewer and sends nothing", async () => {
    const s = await setup(testConsole);
    await addSalesforceSecrets(s);
    for (const member of [s.team.editor, s.team.viewer]) {
      const client = await signedInAgent(testConsole, member);
      await client.post(`${s.integration}/preview/check`).expect(403);
    }
    expect(s.fake.requests).toEqual([]);
    expect(await storedChecks(s)).toEqual([]);
  });
});

describe("Test connection", () => {
  it("passes, is stored with who ran it and which versions, audited, and shown", async () => {
    const s = await setup(testConsole);
    await addSalesforceSecrets(s);
    await s.owner
      .post(`${s.secrets}/preview/SALESFORCE_CLIENT_SECRET`, { value: SECRET, version: "1" })
      .expect(303);

    const { location, page } = await testConnection(s);
    expect(location).toMatch(new RegExp(`^${s.integration}/preview/checks/[0-9a-f-]{36}$`));
    expect(page.text).toContain('Connection check <span class="muted">in Preview</span>: Passed');
    expect(shownSteps(page.text)).toEqual(ALL_PASS);
    expect(page.text).toMatch(/\(\d+ ms\)/);
    expect(page.text).toContain(s.team.owner.name);
    expect(page.text).toContain("<code>SALESFORCE_CLIENT_SECRET</code> v2");
    expect(page.text).toContain("Opportunity (42 records)");

    const [stored] = await storedChecks(s);
    expect(stored).toMatchObject({
      status: "pass",
      trigger: "manual",
      ranBy: s.team.owner.id,
      ranByName: s.team.owner.name,
      applicationId: s.team.application.id,
      versions: {
        SALESFORCE_CLIENT_ID: 1,
        SALESFORCE_CLIENT_SECRET: 2,
        SALESFORCE_INSTANCE_URL: 1,
      },
    });
    expect(location.endsWith(stored!.id)).toBe(true);

    const [audit] = await checkAudits(s);
    expect(audit).toMatchObject({
      actorId: s.team.owner.id,
      environmentId: s.preview.id,
      detail: { status: "pass", trigger: "manual", SALESFORCE_CLIENT_SECRET: 2 },
    });

    const overview = await s.owner.get(s.integration).expect(200);
    expect(overview.text).toContain("Last connection check: <strong>Passed</strong>");
    expect(overview.text).toContain(`href="${location}"`);
    expect(overview.text).not.toContain("The secrets changed since that check");
  });

  it("fails on a wrong Consumer Secret, naming the cause and the fix", async () => {
    const s = await setup(testConsole);
    await addSalesforceSecrets(s, {
      SALESFORCE_CLIENT_ID: CLIENT_ID,
      SALESFORCE_CLIENT_SECRET: "an-old-consumer-secret-0000000000000000",
      SALESFORCE_INSTANCE_URL: s.fake.url,
    });

    const { page } = await testConnection(s);
    expect(page.text).toContain(": Failed</h2>");
    expect(shownSteps(page.text)).toEqual(TOKEN_FAILS);
    expect(page.text).toContain("refused the Consumer Secret");
    expect(page.text).toContain("Manage Consumer Details");
    expect(page.text).toContain("<strong>What to do:</strong>");
    // A manual check offers no rollback: nothing was just saved.
    expect(page.text).not.toContain("Roll back to version");

    const [stored] = await storedChecks(s);
    expect(stored?.status).toBe("fail");
    const overview = await s.owner.get(s.integration);
    expect(overview.text).toContain("Last connection check: <strong>Failed</strong>");
  });

  it("warns when the run-as user may change records, and says what to do", async () => {
    const s = await setup(testConsole, { writable: { Opportunity: ["updateable"] } });
    await addSalesforceSecrets(s);

    const { page } = await testConnection(s);
    expect(page.text).toContain(": Passed with warnings</h2>");
    expect(shownSteps(page.text)).toEqual([
      "instance-url:pass",
      "salesforce-host:pass",
      "token:pass",
      "read-access:warn",
      "api-usage:pass",
    ]);
    expect(page.text).toContain("Opportunity");
    expect((await storedChecks(s))[0]?.status).toBe("warn");
  });

  it("says which secret is missing, sends no request and stores nothing", async () => {
    const s = await setup(testConsole);
    await addSalesforceSecrets(s, {
      SALESFORCE_CLIENT_ID: "3MVG9SomeConsumerKey0000000000",
      SALESFORCE_INSTANCE_URL: s.fake.url,
    });

    const posted = await s.owner.post(`${s.integration}/preview/check`).expect(303);
    expect(posted.headers.location).toBe(s.integration);
    const page = await s.owner.get(s.integration);
    expect(page.text).toContain(
      "SALESFORCE_CLIENT_SECRET is not set in Preview. Add it, then test the connection; " +
        "no request was sent to Salesforce.",
    );

    const empty = await s.owner.post(`${s.integration}/production/check`).expect(303);
    const next = await s.owner.get(empty.headers.location!);
    expect(next.text).toContain(
      "SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET and SALESFORCE_INSTANCE_URL are not set " +
        "in Production.",
    );
    expect(s.fake.requests).toEqual([]);
    expect(await storedChecks(s)).toEqual([]);
    expect(await checkAudits(s)).toEqual([]);
  });

  it("marks the last check out of date after a rollback, and ignores unsaved tests", async () => {
    const s = await setup(testConsole);
    await addSalesforceSecrets(s);
    await testConnection(s);
    await s.owner
      .post(`${s.secrets}/preview/SALESFORCE_CLIENT_SECRET`, { value: SECRET, version: "1" })
      .expect(303);
    const checks = await storedChecks(s);
    expect(checks.map((check) => check.trigger)).toEqual(["after-save", "manual"]);

    // A rollback runs no check, so the last one tested other versions than the stored ones.
    await s.owner
      .post(`${s.secrets}/preview/SALESFORCE_CLIENT_SECRET/rollback`, { to: "1", version: "2" })
      .expect(303);
    const page = await s.owner.get(s.integration);
    expect(page.text).toMatch(/run by [^<]+ after a save\.\s*<a href="[^"]+">See each step/);
    expect(page.text).toContain("The secrets changed since that check");

    await s.owner
      .post(`${s.secrets}/preview/SALESFORCE_CLIENT_ID`, {
        value: "3MVG9AnotherKey0000000000000000",
        version: "1",
        intent: "test",
      })
      .expect(200);
    expect((await storedChecks(s))[0]?.trigger).toBe("unsaved-value");
    const after = await s.owner.get(s.integration);
    expect(after.text).toContain(`href="${s.integration}/preview/checks/${checks[0]!.id}"`);
  });

  it("answers 404 for another environment's or an unknown check", async () => {
    const s = await setup(testConsole);
    await addSalesforceSecrets(s);
    const { location } = await testConnection(s);
    const id = location.split("/").at(-1)!;
    await s.owner.get(`${s.integration}/production/checks/${id}`).expect(404);
    await s.owner.get(`${s.integration}/preview/checks/not-an-id`).expect(404);
    await s.owner
      .get(`${s.integration}/preview/checks/00000000-0000-4000-8000-000000000000`)
      .expect(404);
  });
});

describe("Test connection on the Secrets tab", () => {
  it("appears once the environment has a Salesforce secret, and runs the check", async () => {
    const s = await setup(testConsole);
    const before = await s.owner.get(`${s.secrets}?environment=preview`).expect(200);
    expect(before.text).not.toContain("Test connection");

    await addSalesforceSecrets(s);
    const tab = await s.owner.get(`${s.secrets}?environment=preview`).expect(200);
    expect(tab.text).toContain(`action="${s.integration}/preview/check"`);
    expect(tab.text).toContain('name="from" value="secrets"');

    const posted = await s.owner
      .post(`${s.integration}/preview/check`, { from: "secrets" })
      .expect(303);
    const page = await s.owner.get(posted.headers.location!).expect(200);
    expect(shownSteps(page.text)).toEqual(ALL_PASS);
  });

  it("brings a missing secret's message back to the Secrets tab", async () => {
    const s = await setup(testConsole);
    await addSalesforceSecrets(s, { SALESFORCE_INSTANCE_URL: s.fake.url });
    const posted = await s.owner
      .post(`${s.integration}/preview/check`, { from: "secrets" })
      .expect(303);
    expect(posted.headers.location).toBe(`${s.secrets}?environment=preview`);
    const tab = await s.owner.get(posted.headers.location!);
    expect(tab.text).toContain("SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET are not set");
    expect(s.fake.requests).toEqual([]);
  });
});
