// Rotating a Salesforce secret through HTTP, against a fake org: "Test with this value" before
// saving (which saves nothing), the check after a save, and the one-click rollback when a new
// value breaks a connection that worked.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCurrentValues } from "../../src/secrets/queries.ts";
import type { TestConsole } from "../support/app.ts";
import { dumpTables } from "../support/dump.ts";
import { CLIENT_ID, SECRET } from "./check-helpers.ts";
import {
  ALL_PASS,
  addSalesforceSecrets,
  checkAudits,
  createSalesforceConsole,
  type Setup,
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

const ROTATED = "ROTATED-CONSUMER-SECRET-7f3e9a1c5b2d4e6f8a0b1c2d3e4f5a6b";
const TYPO = "TYPO-CONSUMER-SECRET-0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f";

/** The secrets and their versions, to prove a request saved nothing. */
async function secretRows() {
  const dump = await dumpTables(testConsole.database);
  return { secrets: dump["public.secrets"], versions: dump["public.secret_versions"] };
}

async function storedSecret(s: Setup): Promise<string | undefined> {
  const values = await readCurrentValues(testConsole.database.db, testConsole.keyring, {
    id: s.preview.id,
    applicationId: s.team.application.id,
  });
  return values.get("SALESFORCE_CLIENT_SECRET");
}

function editPath(s: Setup, name = "SALESFORCE_CLIENT_SECRET") {
  return `${s.secrets}/preview/${name}`;
}

describe("Test with this value", () => {
  it("is offered on Edit of the three Salesforce secrets only", async () => {
    const s = await setup(testConsole);
    await addSalesforceSecrets(s);
    await s.owner.post(`${s.secrets}/preview`, { name: "OTHER_KEY", value: "v" }).expect(303);

    for (const name of ["SALESFORCE_CLIENT_ID", "SALESFORCE_CLIENT_SECRET"]) {
      const page = await s.owner.get(`${editPath(s, name)}/edit`).expect(200);
      expect(page.text).toContain('name="intent" value="test"');
      expect(page.text).toContain("Test with this value");
    }
    const other = await s.owner.get(`${editPath(s, "OTHER_KEY")}/edit`).expect(200);
    expect(other.text).not.toContain("Test with this value");
    await s.owner
      .post(editPath(s, "OTHER_KEY"), { value: "w", version: "1", intent: "test" })
      .expect(400);
  });

  it("fails with a wrong value and passes with the right one, saving nothing", async () => {
    const s = await setup(testConsole);
    await addSalesforceSecrets(s);
    // The Consumer Secret was rotated in Salesforce: the stored one no longer works.
    s.fake.setState({ clientSecret: ROTATED });
    const before = await secretRows();

    const wrong = await s.owner
      .post(editPath(s), { value: TYPO, version: "1", intent: "test" })
      .expect(200);
    expect(wrong.text).toContain("The connection check failed with the value you entered");
    expect(wrong.text).toContain("Nothing was saved");
    expect(wrong.text).toContain("paste it again below and select <strong>Save</strong>");
    expect(shownSteps(wrong.text)).toEqual(TOKEN_FAILS);
    expect(wrong.text).toContain("refused the Consumer Secret");
    expect(wrong.text).toContain('name="version" value="1"');
    expect(wrong.text).not.toContain(TYPO);

    const right = await s.owner
      .post(editPath(s), { value: ROTATED, version: "1", intent: "test" })
      .expect(200);
    expect(right.text).toContain("The connection check passed with the value you entered");
    expect(shownSteps(right.text)).toEqual(ALL_PASS);
    expect(right.text).not.toContain(ROTATED);

    // The typed values went to Salesforce, and nowhere into the secrets.
    const sent = s.fake.requests
      .filter((request) => request.endpoint === "token")
      .map((request) => new URLSearchParams(request.body).get("client_secret"));
    expect(sent).toEqual([TYPO, ROTATED]);
    expect(await secretRows()).toEqual(before);
    expect(await storedSecret(s)).toBe(SECRET);

    const checks = await storedChecks(s);
    expect(checks.map((check) => [check.trigger, check.status])).toEqual([
      ["unsaved-value", "pass"],
      ["unsaved-value", "fail"],
    ]);
    expect(checks[0]!.versions).toEqual({
      SALESFORCE_CLIENT_ID: 1,
      SALESFORCE_CLIENT_SECRET: 0,
      SALESFORCE_INSTANCE_URL: 1,
    });
    const [audit] = await checkAudits(s);
    expect(audit).toMatchObject({
      secretName: "SALESFORCE_CLIENT_SECRET",
      detail: { trigger: "unsaved-value", SALESFORCE_CLIENT_SECRET: 0 },
    });

    // Saving the right value runs the check again, which passes: back to the Secrets tab.
    const saved = await s.owner.post(editPath(s), { value: ROTATED, version: "1" }).expect(303);
    expect(saved.headers.location).toBe(`${s.secrets}?environment=preview`);
    const tab = await s.owner.get(saved.headers.location!);
    expect(tab.text).toContain(
      "SALESFORCE_CLIENT_SECRET saved in Preview as version 2. The connection check passed.",
    );
    expect(await storedSecret(s)).toBe(ROTATED);
  });

  it("refuses an empty value and names a missing secret, without sending anything", async () => {
    const s = await setup(testConsole);
    await addSalesforceSecrets(s, { SALESFORCE_CLIENT_SECRET: SECRET });
    const before = await secretRows();

    await s.owner.post(editPath(s), { value: "", version: "1", intent: "test" }).expect(400);
    const page = await s.owner
      .post(editPath(s), { value: ROTATED, version: "1", intent: "test" })
      .expect(200);
    expect(page.text).toContain("The value was not tested");
    expect(page.text).toContain(
      "SALESFORCE_CLIENT_ID and SALESFORCE_INSTANCE_URL are not set in Preview.",
    );
    expect(s.fake.requests).toEqual([]);
    expect(await secretRows()).toEqual(before);
    expect(await storedChecks(s)).toEqual([]);
  });
});

describe("rollback after a failed rotation", () => {
  it("offers the version that worked in one click, and the next check passes", async () => {
    const s = await setup(testConsole);
    await addSalesforceSecrets(s);
    const first = await testConnection(s);
    expect(shownSteps(first.page.text)).toEqual(ALL_PASS);

    const saved = await s.owner.post(editPath(s), { value: TYPO, version: "1" }).expect(303);
    const location = saved.headers.location!;
    expect(location).toMatch(new RegExp(`^${s.integration}/preview/checks/`));
    const page = await s.owner.get(location).expect(200);
    expect(page.text).toContain("SALESFORCE_CLIENT_SECRET saved in Preview as version 2.");
    expect(page.text).toContain("The connection check failed with the saved values.");
    expect(shownSteps(page.text)).toEqual(TOKEN_FAILS);
    expect(page.text).toContain(
      "The connection worked with version 1 of <code>SALESFORCE_CLIENT_SECRET</code> and " +
        "fails with version 2",
    );

    const form = /<form method="post" action="([^"]+\/rollback)"[\s\S]*?<\/form>/.exec(page.text);
    expect(form, "a rollback form").not.toBeNull();
    expect(form![1]).toBe(`${editPath(s)}/rollback`);
    expect(form![0]).toContain('name="to" value="1"');
    expect(form![0]).toContain('name="version" value="2"');
    expect(form![0]).toContain(">Roll back to version 1</button>");

    await s.owner.post(form![1]!, { to: "1", version: "2" }).expect(303);
    expect(await storedSecret(s)).toBe(SECRET);
    const again = await testConnection(s);
    expect(shownSteps(again.page.text)).toEqual(ALL_PASS);

    // Once rolled back, the failed check's page no longer offers it.
    const old = await s.owner.get(location).expect(200);
    expect(old.text).not.toContain("Roll back to version");
  });

  it("offers nothing when the check before the save failed too", async () => {
    const s = await setup(testConsole);
    await addSalesforceSecrets(s, {
      SALESFORCE_CLIENT_ID: CLIENT_ID,
      SALESFORCE_CLIENT_SECRET: TYPO,
      SALESFORCE_INSTANCE_URL: s.fake.url,
    });
    await testConnection(s);

    const saved = await s.owner.post(editPath(s), { value: ROTATED, version: "1" }).expect(303);
    const page = await s.owner.get(saved.headers.location!).expect(200);
    expect(shownSteps(page.text)).toEqual(TOKEN_FAILS);
    expect(page.text).not.toContain("Roll back to version");
  });

  it("saves first and reports when the check cannot run yet", async () => {
    const s = await setup(testConsole);
    await addSalesforceSecrets(s, { SALESFORCE_CLIENT_SECRET: TYPO });
    const saved = await s.owner.post(editPath(s), { value: SECRET, version: "1" }).expect(303);
    expect(saved.headers.location).toBe(`${s.secrets}?environment=preview`);
    const tab = await s.owner.get(saved.headers.location!);
    expect(tab.text).toContain(
      "saved in Preview as version 2. The connection check did not run: " +
        "SALESFORCE_CLIENT_ID and SALESFORCE_INSTANCE_URL are not set in Preview.",
    );
    expect(await storedSecret(s)).toBe(SECRET);
  });
});
