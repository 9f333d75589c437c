// The owner's steps in the console, driven by the words on the page (the help article's words
// where it has them): by mouse, or by keyboard alone. Each step waits for the page it leads to
// and hands it to `arrived`, where the tests check accessibility and the screenshots are taken.

import type { Locator, Page } from "playwright-core";
import { tabTo } from "./keyboard.ts";

export interface Driver {
  page: Page;
  /** Keyboard alone (Tab, Enter, Space and typing) instead of clicks and fills. */
  keyboard: boolean;
  /** Called on every page the journey reaches, once the content it waited for is there. */
  arrived(): Promise<void>;
}

export interface OwnerAccount {
  name: string;
  email: string;
  password: string;
}

/** Follows a link or presses a button. */
export async function select(d: Driver, target: Locator): Promise<void> {
  if (d.keyboard) {
    await tabTo(d.page, target);
    await d.page.keyboard.press("Enter");
  } else {
    await target.click();
  }
}

/** Types into a field; by keyboard, after tabbing to it from where the focus is. */
export async function enter(d: Driver, field: Locator, text: string): Promise<void> {
  if (d.keyboard) {
    await tabTo(d.page, field);
    await d.page.keyboard.type(text);
  } else {
    await field.fill(text);
  }
}

/** Ticks a checkbox or a radio button. */
export async function tick(d: Driver, box: Locator): Promise<void> {
  if (d.keyboard) {
    await tabTo(d.page, box);
    await d.page.keyboard.press("Space");
  } else {
    await box.check();
  }
}

/** Waits for what shows that the next page is there, then reports the arrival. */
export async function reached(d: Driver, sign: Locator): Promise<void> {
  await sign.waitFor();
  await d.arrived();
}

/** Opens an address, as typed into the address bar. */
export async function open(d: Driver, address: string, sign: Locator): Promise<void> {
  await d.page.goto(address);
  await reached(d, sign);
}

export function heading(page: Page, name: string | RegExp): Locator {
  return page.getByRole("heading", { name });
}

/** The message the console shows after an action (role status, or alert for an error). */
export function flash(page: Page, text: string | RegExp): Locator {
  return page.locator(".flash").filter({ hasText: text });
}

/** The Value field, told apart from the hint that mentions "the value". */
export function valueField(page: Page, label = "Value"): Locator {
  return page.getByLabel(label, { exact: true });
}

export async function createFirstOwner(d: Driver, setupLink: string, owner: OwnerAccount) {
  const { page } = d;
  await open(d, setupLink, heading(page, "Create the first owner"));
  await enter(d, page.getByLabel("Name"), owner.name);
  await enter(d, page.getByLabel("Email"), owner.email);
  await enter(d, page.getByLabel("Password"), owner.password);
  await select(d, page.getByRole("button", { name: "Create owner" }));
  await reached(d, heading(page, "Applications"));
}

export async function signIn(d: Driver, consoleUrl: string, owner: OwnerAccount) {
  const { page } = d;
  await open(d, `${consoleUrl}/sign-in`, heading(page, "Sign in"));
  await enter(d, page.getByLabel("Email"), owner.email);
  await enter(d, page.getByLabel("Password"), owner.password);
  await select(d, page.getByRole("button", { name: "Sign in" }));
  await reached(d, heading(page, "Applications"));
}

/** From the Applications list: New application, its name, Create application. */
export async function createApplication(d: Driver, name: string) {
  const { page } = d;
  await select(d, page.getByRole("link", { name: "New application" }));
  await reached(d, heading(page, "New application"));
  await enter(d, page.getByLabel("Name"), name);
  await select(d, page.getByRole("button", { name: "Create application" }));
  await reached(d, page.getByRole("heading", { name, level: 1 }));
}

/** The article's first steps: the application, Configuration in the top bar, Secrets. */
export async function openSecretsTab(d: Driver, application: string) {
  const { page } = d;
  await select(d, page.getByRole("link", { name: "Secrets console" }));
  await reached(d, heading(page, "Applications"));
  await select(d, page.getByRole("link", { name: application }));
  await reached(d, page.getByRole("heading", { name: application, level: 1 }));
  const topBar = page.getByRole("navigation", { name: "Application" });
  await select(d, topBar.getByRole("link", { name: "Configuration" }));
  await reached(d, page.getByRole("navigation", { name: "Configuration" }));
  const tabs = page.getByRole("navigation", { name: "Configuration" });
  await select(d, tabs.getByRole("link", { name: "Secrets" }));
  await reached(d, heading(page, /^Secrets in /));
}

/** The environment switcher of the Secrets tab. */
export async function switchEnvironment(d: Driver, environment: string) {
  const { page } = d;
  const switcher = page.getByRole("navigation", { name: "Environment" });
  await select(d, switcher.getByRole("link", { name: environment, exact: true }));
  await reached(d, heading(page, `Secrets in ${environment}`));
}

/** The switcher's last link: where each secret is set, across environments. */
export async function openOverview(d: Driver) {
  const { page } = d;
  const switcher = page.getByRole("navigation", { name: "Environment" });
  await select(d, switcher.getByRole("link", { name: "All environments" }));
  await reached(d, heading(page, "Secrets in every environment"));
}

/**
 * The article's steps 4 to 7: Add secret, Secret name, Value, Save. `alsoIn` ticks more
 * environments on the form, to add the secret to several at once.
 */
export async function addSecret(
  d: Driver,
  environment: string,
  name: string,
  value: string,
  alsoIn: string[] = [],
) {
  const { page } = d;
  await select(d, page.getByRole("link", { name: "Add secret" }));
  await reached(d, heading(page, `Add secret to ${environment}`));
  await enter(d, page.getByLabel("Secret name"), name);
  await enter(d, valueField(page), value);
  for (const other of alsoIn) {
    await tick(d, page.getByRole("checkbox", { name: other, exact: true }));
  }
  await select(d, page.getByRole("button", { name: "Save", exact: true }));
  await reached(d, flash(page, `${name} saved in ${[environment, ...alsoIn].join(" and ")}.`));
}

/** Test connection on the Secrets tab; resolves on the page of the check's result. */
export async function testConnection(d: Driver, environment: string) {
  const { page } = d;
  await select(d, page.getByRole("button", { name: "Test connection" }));
  await reached(d, heading(page, new RegExp(`^Connection check in ${environment}`)));
}

/** The words of an element, with its white space collapsed as a reader sees it. */
export async function text(target: Locator): Promise<string> {
  return ((await target.textContent()) ?? "").replace(/\s+/g, " ").trim();
}

/** The outcome of each step of a connection check shown on the page, as "title: Pass". */
export async function checkSteps(page: Page): Promise<string[]> {
  const outcomes: string[] = [];
  for (const step of await page.locator(".check-steps > li").all()) {
    const title = await text(step.locator("strong").first());
    outcomes.push(`${title}: ${await text(step.locator(".step-status"))}`);
  }
  return outcomes;
}

/** The names in the Secrets tab's table, top to bottom, each with its version ("NAME v1"). */
export async function secretsListed(page: Page): Promise<string[]> {
  const listed: string[] = [];
  for (const row of await page.locator("table.secrets tbody tr").all()) {
    const name = await text(row.getByRole("rowheader").locator("code"));
    listed.push(`${name} ${await text(row.getByRole("cell").first())}`);
  }
  return listed;
}

/** The row of a secret in the Secrets tab's table. */
export function secretRow(page: Page, name: string): Locator {
  return page.getByRole("row").filter({ has: page.getByRole("rowheader", { name }) });
}
