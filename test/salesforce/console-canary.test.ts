// The Consumer Secret and the access token never leave the connection check: canaries go through
// every way a check runs (Test connection, Test with this value, after a save), including
// answers that echo the token or cut it off midway, then every page, the stored rows, the audit
// log and the log lines are searched for them in every common spelling.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestConsole } from "../support/app.ts";
import { dumpContains, dumpTables } from "../support/dump.ts";
import { CLIENT_ID, SECRET, TOKEN } from "./check-helpers.ts";
import {
  addSalesforceSecrets,
  createSalesforceConsole,
  setup,
  shownSteps,
  storedChecks,
  testConnection,
} from "./console-helpers.ts";

let testConsole: TestConsole;

beforeAll(async () => {
  testConsole = await createSalesforceConsole();
});

afterAll(async () => {
  await testConsole.close();
});

const UNSAVED = "CANARY-UNSAVED-SECRET-5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b";
const SAVED_WRONG = "CANARY-SAVED-WRONG-SECRET-1a2b3c4d5e6f7a8b9c0d1e2f3a4b";

function spellings(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  return [
    value,
    encodeURIComponent(value),
    bytes.toString("base64"),
    bytes.toString("base64url"),
    bytes.toString("hex"),
    value.slice(0, 16),
    value.slice(-16),
  ];
}

describe("credentials in connection checks", () => {
  it("appear in no page, stored row, audit event or log line", async () => {
    const s = await setup(testConsole);
    const seen: { what: string; text: string }[] = [];
    const keep = (what: string, response: { text: string; headers: unknown }) =>
      seen.push({ what, text: `${JSON.stringify(response.headers)}\n${response.text ?? ""}` });

    await addSalesforceSecrets(s);
    const passed = await testConnection(s);
    expect(shownSteps(passed.page.text)).toContain("read-access:pass");
    keep("passed check", passed.page);

    // Data errors that quote the token, then a token answer cut off after the token.
    s.fake.setState({ echoTokenInErrors: true, apiEnabled: false });
    const echoed = await testConnection(s);
    expect(shownSteps(echoed.page.text)).toContain("read-access:fail");
    // The fake put the token into its error text; the page shows that text, scrubbed.
    expect(echoed.page.text).toContain("[redacted]");
    keep("echoed token", echoed.page);
    s.fake.setState({ faults: { token: { kind: "malformed-json" } } });
    const cut = await testConnection(s);
    expect(shownSteps(cut.page.text)).toContain("token:fail");
    keep("cut token", cut.page);
    s.fake.setState({ faults: {}, echoTokenInErrors: false, apiEnabled: true });
    const healed = await testConnection(s);
    expect(shownSteps(healed.page.text)).toContain("api-usage:pass");

    const edit = `${s.secrets}/preview/SALESFORCE_CLIENT_SECRET`;
    keep(
      "test with this value",
      await s.owner.post(edit, { value: UNSAVED, version: "1", intent: "test" }).expect(200),
    );
    const saved = await s.owner.post(edit, { value: SAVED_WRONG, version: "1" }).expect(303);
    const failed = await s.owner.get(saved.headers.location!).expect(200);
    expect(failed.text).toContain("Roll back to version 1");
    keep("after save", failed);

    const app = `/apps/${s.team.application.slug}`;
    for (const path of [
      s.integration,
      `${s.secrets}?environment=preview`,
      `${edit}/edit`,
      `${edit}/versions`,
      `${app}/audit`,
      ...(await storedChecks(s)).map((check) => `${s.integration}/preview/checks/${check.id}`),
    ]) {
      keep(path, await s.owner.get(path).expect(200));
    }
    expect(seen.length).toBeGreaterThan(12);

    const dump = await dumpTables(testConsole.database);
    const stored = JSON.stringify({
      checks: dump["public.connection_checks"],
      audit: dump["public.audit_events"],
    });
    expect(stored).toContain("refused the Consumer Secret");
    const logs = testConsole.logs.join("\n");
    expect(logs).toContain("/check");

    for (const canary of [SECRET, TOKEN, UNSAVED, SAVED_WRONG]) {
      expect(dumpContains(dump, canary), `${canary.slice(0, 20)} in the database`).toBe(false);
      for (const spelling of spellings(canary)) {
        for (const { what, text } of seen) {
          expect(text.includes(spelling), `${spelling} in ${what}`).toBe(false);
        }
        expect(stored.includes(spelling), `${spelling} in checks or audit`).toBe(false);
        expect(logs.includes(spelling), `${spelling} in the logs`).toBe(false);
      }
    }
    // The Consumer Key is shown only shortened.
    for (const { what, text } of seen) {
      expect(text.includes(CLIENT_ID), `the Consumer Key in ${what}`).toBe(false);
    }
    expect(stored.includes(CLIENT_ID)).toBe(false);
  });
});
