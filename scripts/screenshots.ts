// npm run screenshots: starts a console with a fake Salesforce org, builds an application's
// secrets through the pages, as an owner would, and writes PNGs of the main pages into
// docs/screenshots/ for the README. Needs Debian's Chromium at /usr/bin/chromium.

import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { launchChromium, openPage } from "../test/browser/chromium.ts";
import { startJourneyConsole } from "../test/browser/journey-console.ts";
import {
  addSecret,
  createApplication,
  createFirstOwner,
  type Driver,
  enter,
  heading,
  openOverview,
  reached,
  secretRow,
  select,
  switchEnvironment,
  testConnection,
  valueField,
} from "../test/browser/steps.ts";
import { startFakeSalesforce } from "../test/support/fake-salesforce.ts";

const OUT = fileURLToPath(new URL("../docs/screenshots/", import.meta.url));
const APPLICATION = "Acme Sales Dashboard";
const PHONE = { width: 360, height: 780 };
const SALESFORCE = ["SALESFORCE_CLIENT_ID", "SALESFORCE_CLIENT_SECRET", "SALESFORCE_INSTANCE_URL"];

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const fake = await startFakeSalesforce();
  const server = await startJourneyConsole();
  const browser = await launchChromium();

  try {
    const { page } = await openPage(browser, { javaScript: true });
    const d: Driver = { page, keyboard: false, arrived: async () => {} };
    const shot = (name: string) => screenshot(page, name);

    await createFirstOwner(d, await server.setupLink(), {
      name: "Olivia Owner",
      email: "olivia@example.com",
      password: "a screenshot owner's password",
    });
    await createApplication(d, APPLICATION);

    const values = [fake.state.clientId, fake.state.clientSecret, fake.url];
    for (const [index, name] of SALESFORCE.entries()) {
      await addSecret(d, "Preview", name, values[index]!, ["Production"]);
    }
    await addSecret(d, "Preview", "ANALYTICS_WRITE_KEY", "wk_preview_1f6a9c0d2b");
    await testConnection(d, "Preview");
    await shot("connection-check");

    await select(d, page.getByRole("link", { name: "Secrets in Preview" }));
    await reached(d, heading(page, "Secrets in Preview"));
    await shot("secrets-tab");
    const { context: phone, page: small } = await openPage(browser, {
      javaScript: true,
      viewport: PHONE,
    });
    await phone.addCookies(await page.context().cookies());
    await small.goto(page.url());
    await screenshot(small, "secrets-tab-phone");
    await phone.close();

    await openOverview(d);
    await shot("secrets-overview");

    await switchEnvironment(d, "Preview");
    await select(d, page.getByRole("link", { name: "Add secret" }));
    await reached(d, heading(page, "Add secret to Preview"));
    await enter(d, page.getByLabel("Secret name"), "SALESFORCE_CLIENT_ID");
    await shot("add-secret");

    // A feature that needs the Consumer Secret, and the server reading it in Production.
    await select(d, page.getByRole("link", { name: "Cancel" }));
    await readAsTheApplication(d, server.url);

    // A Consumer Secret regenerated in Salesforce, and a mistyped value tested before saving.
    fake.setState({ clientSecret: `NEW-${fake.state.clientSecret}` });
    await openTab(d, "Secrets", /^Secrets in /);
    await switchEnvironment(d, "Production");
    await editAndTest(d, "SALESFORCE_CLIENT_SECRET", "not-the-new-consumer-secret");
    await shot("edit-test-result");

    await select(d, page.getByRole("link", { name: "Cancel" }));
    await openDeleteWhenReadIsKnown(d, "SALESFORCE_CLIENT_SECRET");
    await shot("delete-confirmation");

    const topBar = page.getByRole("navigation", { name: "Application" });
    await select(d, topBar.getByRole("link", { name: "Integrations" }));
    await reached(d, heading(page, "Salesforce"));
    await shot("salesforce");

    await select(d, topBar.getByRole("link", { name: "Audit log" }));
    await reached(d, heading(page, "Audit log"));
    await shot("audit-log");
  } finally {
    await browser.close();
    await server.stop();
    await fake.close();
  }
}

async function openTab(d: Driver, tab: string, sign: string | RegExp): Promise<void> {
  const tabs = d.page.getByRole("navigation", { name: "Configuration" });
  await select(d, tabs.getByRole("link", { name: tab }));
  await reached(d, heading(d.page, sign));
}

/** Declares a feature, makes a runtime token for Production and reads with it. */
async function readAsTheApplication(d: Driver, consoleUrl: string): Promise<void> {
  const { page } = d;
  await openTab(d, "Features", "Features");
  await enter(d, page.getByLabel("Key"), "opportunity-dashboard");
  await enter(d, page.getByLabel("Name"), "Opportunity dashboard");
  await enter(d, page.getByLabel("Secrets it needs"), SALESFORCE.join(", "));
  await select(d, page.getByRole("button", { name: "Save feature" }));
  await reached(d, heading(page, "Features"));

  await openTab(d, "Runtime access", "Runtime access");
  await enter(d, page.getByLabel("Label"), "web in eu-west");
  await page.getByLabel("Environment").selectOption({ label: "Production" });
  await select(d, page.getByRole("button", { name: "Create token" }));
  await reached(d, page.getByLabel("Runtime token"));
  const token = await page.getByLabel("Runtime token").inputValue();
  const read = await fetch(`${consoleUrl}/runtime/v1/secrets`, {
    headers: { authorization: `Bearer ${token}`, "x-feature": "opportunity-dashboard" },
  });
  if (read.status !== 200) throw new ScreenshotSetupError(`the runtime read got ${read.status}`);
}

/** More options, Delete; reloads until the console has written the read (every few seconds). */
async function openDeleteWhenReadIsKnown(d: Driver, name: string): Promise<void> {
  const { page } = d;
  await switchEnvironment(d, "Production");
  await select(d, secretRow(page, name).getByText("More options"));
  await select(d, secretRow(page, name).getByRole("link", { name: "Delete" }));
  await reached(d, heading(page, new RegExp(`^Delete ${name}`)));
  for (let tries = 0; (await page.getByLabel(`Type ${name} to confirm`).count()) === 0; tries++) {
    if (tries === 20) throw new ScreenshotSetupError("the read never showed on the delete page");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await page.reload();
  }
}

class ScreenshotSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScreenshotSetupError";
  }
}

/** Edit on a secret of the environment shown, a new value, then Test with this value. */
async function editAndTest(d: Driver, name: string, value: string): Promise<void> {
  const { page } = d;
  await select(d, secretRow(page, name).getByRole("link", { name: "Edit" }));
  await reached(d, heading(page, new RegExp(`^Edit ${name}`)));
  await enter(d, valueField(page, "New value"), value);
  await select(d, page.getByRole("button", { name: "Test with this value" }));
  await reached(d, heading(page, /^The connection check/));
}

async function screenshot(page: Page, name: string): Promise<void> {
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
