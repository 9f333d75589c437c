// What every browser test file shares: one Chromium per file, a console process per file (or
// per test, for a first start) on the run's kind of database, a driver per page that checks
// accessibility on every page it reaches, and the owner's account.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, onTestFinished } from "vitest";
import { formatKeyringEntry, generateMasterKey } from "../../src/crypto/keyring.ts";
import { createTestDatabase } from "../support/database.ts";
import { type FakeSalesforce, startFakeSalesforce } from "../support/fake-salesforce.ts";
import { axeViolations, unlabelledFields } from "./accessibility.ts";
import { launchChromium, openPage } from "./chromium.ts";
import { type JourneyConsole, startJourneyConsole } from "./journey-console.ts";
import { createFirstOwner, type Driver, type OwnerAccount } from "./steps.ts";

/** A journey starts processes and walks through a dozen pages: give it room on a busy CI. */
export const JOURNEY_TIMEOUT = 120_000;
const SETUP_TIMEOUT = 120_000;

/** Every journey runs twice: scripts may only improve a page that works without them. */
export const SCRIPT_MODES = [
  { mode: "with JavaScript", javaScript: true },
  { mode: "without JavaScript", javaScript: false },
];

export const OWNER: OwnerAccount = {
  name: "Olivia Owner",
  email: "olivia@example.test",
  password: "correct horse battery staple",
};

/** A console on the run's database: TEST_DATABASE_URL's server, or a fresh embedded one. */
export async function startTestConsole(): Promise<JourneyConsole> {
  const source = inject("testDatabase");
  if (source.kind === "embedded") {
    // The run's migrated database, unpacked into the console's folder: a start from it takes
    // seconds, where a first start in an empty folder takes ten or more on a busy machine.
    const dataDir = mkdtempSync(path.join(tmpdir(), "secrets-console-browser-"));
    const dump = new Blob([readFileSync(source.dumpPath)]);
    const unpacked = await PGlite.create({
      dataDir: path.join(dataDir, "pglite"),
      loadDataDir: dump,
    });
    await unpacked.close();
    return startJourneyConsole({ kind: "embedded", dataDir });
  }

  const database = await createTestDatabase();
  const masterKeys = formatKeyringEntry(generateMasterKey());
  const started = await startJourneyConsole({ kind: "postgres", url: database.url!, masterKeys });
  return {
    ...started,
    async stop() {
      await started.stop();
      await database.close();
    },
  };
}

/** One Chromium for the file. */
export function useBrowser(): { browser: Browser } {
  const shared = {} as { browser: Browser };
  beforeAll(async () => {
    shared.browser = await launchChromium();
  }, SETUP_TIMEOUT);
  afterAll(async () => {
    await shared.browser?.close();
  });
  return shared;
}

/** One Chromium and one console for the file, whose first owner is made through setup. */
export function useConsoleWithOwner(): { browser: Browser; console: JourneyConsole } {
  const shared = {} as { browser: Browser; console: JourneyConsole };
  beforeAll(async () => {
    [shared.browser, shared.console] = await Promise.all([launchChromium(), startTestConsole()]);
    const { page, context } = await openPage(shared.browser, { javaScript: true });
    const d = driver(page, { javaScript: true });
    await createFirstOwner(d, await shared.console.setupLink(), OWNER);
    await context.close();
  }, SETUP_TIMEOUT);
  afterAll(async () => {
    await Promise.all([shared.browser?.close(), shared.console?.stop()]);
  });
  return shared;
}

/** A page of its own for one test, closed when the test ends. */
export async function pageFor(browser: Browser, javaScript: boolean): Promise<Page> {
  const { page, context } = await openPage(browser, { javaScript });
  onTestFinished(() => context.close());
  return page;
}

/** A driver whose every arrival is checked for accessibility. */
export function driver(page: Page, options: { javaScript: boolean; keyboard?: boolean }): Driver {
  return {
    page,
    keyboard: options.keyboard ?? false,
    arrived: () => expectAccessible(page, options.javaScript),
  };
}

/** No serious or critical axe violation, and a label on every field. */
export async function expectAccessible(page: Page, javaScript: boolean): Promise<void> {
  const where = new URL(page.url()).pathname;
  const violations = await axeViolations(page, javaScript);
  const grave = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(grave, `accessibility violations on ${where}`).toEqual([]);
  expect(await unlabelledFields(page), `fields without a label on ${where}`).toEqual([]);
}

/** A fake Salesforce org for one test, with credentials no other test uses. */
export async function fakeOrgFor(label: string): Promise<FakeSalesforce> {
  const unique = `${label}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const fake = await startFakeSalesforce({
    clientId: `3MVG9${unique}ConsumerKey`,
    clientSecret: `CONSUMER-SECRET-${unique}`,
  });
  onTestFinished(() => fake.close());
  return fake;
}

/** A typed value must stay out of every page and every line the console printed. */
export async function expectNowhere(page: Page, server: JourneyConsole, value: string) {
  expect(await page.content()).not.toContain(value);
  expect(server.output()).not.toContain(value);
}
