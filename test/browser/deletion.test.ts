// Journey 4, by keyboard alone: an owner deletes a secret that a feature needs and that the
// application's server read moments ago. More options, Delete, the list of what depends on it,
// the typed confirmation, OK; then a restore from the deleted secrets brings the value back.

import { describe, expect, it } from "vitest";
import {
  driver,
  fakeOrgFor,
  JOURNEY_TIMEOUT,
  OWNER,
  pageFor,
  SCRIPT_MODES,
  useConsoleWithOwner,
} from "./harness.ts";
import {
  addSecret,
  checkSteps,
  createApplication,
  type Driver,
  enter,
  flash,
  heading,
  reached,
  secretRow,
  secretsListed,
  select,
  signIn,
  testConnection,
  text,
} from "./steps.ts";

const shared = useConsoleWithOwner();
const SECRET = "SALESFORCE_CLIENT_SECRET";

/** Opens a Configuration tab from the tab bar. */
async function openTab(d: Driver, tab: string, sign: string | RegExp) {
  const tabs = d.page.getByRole("navigation", { name: "Configuration" });
  await select(d, tabs.getByRole("link", { name: tab }));
  await reached(d, heading(d.page, sign));
}

/** What the application's server gets with its runtime token, as it names its feature. */
async function runtimeRead(token: string): Promise<Record<string, string>> {
  const answer = await fetch(`${shared.console.url}/runtime/v1/secrets`, {
    headers: { authorization: `Bearer ${token}`, "x-feature": "opportunity-dashboard" },
  });
  expect(answer.status).toBe(200);
  return ((await answer.json()) as { secrets: Record<string, string> }).secrets;
}

describe.each(SCRIPT_MODES)("deleting a secret, $mode", ({ javaScript }) => {
  it(
    "lists what depends on it, asks for its name, deletes, and restores it, by keyboard alone",
    async () => {
      const fake = await fakeOrgFor("delete");
      const page = await pageFor(shared.browser, javaScript);
      const d = driver(page, { javaScript, keyboard: true });
      await signIn(d, shared.console.url, OWNER);
      await createApplication(d, `Acme Accounts ${javaScript ? "scripted" : "plain"}`);
      await addSecret(d, "Preview", "SALESFORCE_CLIENT_ID", fake.state.clientId);
      await addSecret(d, "Preview", SECRET, fake.state.clientSecret);
      await addSecret(d, "Preview", "SALESFORCE_INSTANCE_URL", fake.url);

      // A feature declared to need the secret, and the server that reads it for that feature.
      await openTab(d, "Features", "Features");
      await enter(d, page.getByLabel("Key"), "opportunity-dashboard");
      await enter(d, page.getByLabel("Name"), "Opportunity dashboard");
      await enter(d, page.getByLabel("Secrets it needs"), `SALESFORCE_CLIENT_ID, ${SECRET}`);
      await select(d, page.getByRole("button", { name: "Save feature" }));
      await reached(d, flash(page, "Feature Opportunity dashboard saved."));
      await openTab(d, "Runtime access", "Runtime access");
      await enter(d, page.getByLabel("Label"), "web in eu-west");
      await select(d, page.getByRole("button", { name: "Create token" }));
      await reached(d, page.getByLabel("Runtime token"));
      const token = await page.getByLabel("Runtime token").inputValue();
      expect((await runtimeRead(token))[SECRET]).toBe(fake.state.clientSecret);

      // More options, Delete, and Cancel first: nothing changes.
      await openTab(d, "Secrets", "Secrets in Preview");
      const row = secretRow(page, SECRET);
      const deletePage = heading(page, `Delete ${SECRET} from Preview?`);
      await select(d, row.getByText("More options"));
      await select(d, row.getByRole("link", { name: "Delete" }));
      await reached(d, deletePage);
      await select(d, page.getByRole("link", { name: "Cancel" }));
      await reached(d, heading(page, "Secrets in Preview"));
      expect(await secretsListed(page)).toContain(`${SECRET} v1`);

      // The console counts reads in memory and writes them every few seconds: until then the
      // page cannot know of the read, and asks for no typed name.
      const confirmation = page.getByLabel(`Type ${SECRET} to confirm`);
      await select(d, row.getByText("More options"));
      await select(d, row.getByRole("link", { name: "Delete" }));
      await reached(d, deletePage);
      for (let waited = 0; (await confirmation.count()) === 0 && waited < 20; waited++) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await page.reload();
        await reached(d, deletePage);
      }
      const dependents = await page.locator(".dependents li").allTextContents();
      expect(dependents.join("\n")).toMatch(/Opportunity dashboard opportunity-dashboard — /);
      expect(dependents.join("\n")).toMatch(/opportunity-dashboard last read it at/);
      expect(dependents.join("\n")).toMatch(/Salesforce connection — The connection check fails/);

      // OK without the name deletes nothing; with it, the secret goes.
      await select(d, page.getByRole("button", { name: "OK" }));
      await reached(d, page.getByText(`Type ${SECRET} to confirm; it was read recently.`).first());
      expect(await runtimeRead(token)).toHaveProperty(SECRET);
      await enter(d, confirmation, SECRET);
      await select(d, page.getByRole("button", { name: "OK" }));
      await reached(d, flash(page, `${SECRET} deleted from Preview.`));
      expect(await secretsListed(page)).toEqual([
        "SALESFORCE_CLIENT_ID v1",
        "SALESFORCE_INSTANCE_URL v1",
      ]);
      expect(await runtimeRead(token)).not.toHaveProperty(SECRET);

      // Restore from the deleted secrets: the same secret, its version, its value.
      await select(d, page.getByRole("link", { name: "Deleted secrets" }));
      await reached(d, heading(page, "Deleted secrets in Preview"));
      const deleted = page.getByRole("row", { name: new RegExp(SECRET) });
      expect(await text(deleted)).toContain("by Olivia Owner");
      await select(d, page.getByRole("button", { name: `Restore ${SECRET}` }));
      await reached(d, flash(page, `${SECRET} restored in Preview.`));
      expect(await secretsListed(page)).toContain(`${SECRET} v1`);
      expect((await runtimeRead(token))[SECRET]).toBe(fake.state.clientSecret);

      await testConnection(d, "Preview");
      for (const step of await checkSteps(page)) expect(step).toMatch(/: Pass$/);
    },
    JOURNEY_TIMEOUT,
  );
});
