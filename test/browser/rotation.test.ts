// Journey 3: the Consumer Secret is regenerated in Salesforce and the owner rotates it in
// Production: Edit, a new value, Test with this value (a wrong one fails and nothing is saved),
// the right one, Save, and the check after the save passes.

import { describe, expect, it } from "vitest";
import {
  driver,
  expectNowhere,
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
  enter,
  flash,
  heading,
  reached,
  secretRow,
  secretsListed,
  select,
  signIn,
  switchEnvironment,
  text,
  valueField,
} from "./steps.ts";

const shared = useConsoleWithOwner();

describe.each(SCRIPT_MODES)("rotating the Consumer Secret, $mode", ({ javaScript }) => {
  it(
    "tests a new value before saving it in Production: a wrong one fails, the right one passes",
    async () => {
      const fake = await fakeOrgFor("rotate");
      const page = await pageFor(shared.browser, javaScript);
      const d = driver(page, { javaScript });
      await signIn(d, shared.console.url, OWNER);
      await createApplication(d, `Acme Forecast ${javaScript ? "scripted" : "plain"}`);

      // Added to Preview and Production at once: the form's Environments boxes.
      const { clientId, clientSecret: oldSecret } = fake.state;
      await addSecret(d, "Preview", "SALESFORCE_CLIENT_ID", clientId, ["Production"]);
      await addSecret(d, "Preview", "SALESFORCE_CLIENT_SECRET", oldSecret, ["Production"]);
      await addSecret(d, "Preview", "SALESFORCE_INSTANCE_URL", fake.url, ["Production"]);

      // Salesforce issues a new Consumer Secret; the stored one stops working.
      const newSecret = `ROTATED-${oldSecret}`;
      const wrongSecret = `MISTYPED-${oldSecret}`;
      fake.setState({ clientSecret: newSecret });

      await switchEnvironment(d, "Production");
      const row = secretRow(page, "SALESFORCE_CLIENT_SECRET");
      await select(d, row.getByRole("link", { name: "Edit" }));
      await reached(d, heading(page, "Edit SALESFORCE_CLIENT_SECRET in Production"));

      await enter(d, valueField(page, "New value"), wrongSecret);
      await select(d, page.getByRole("button", { name: "Test with this value" }));
      await reached(d, heading(page, /^The connection check failed with the value you entered/));
      const failed = await checkSteps(page);
      expect(failed.some((step) => step.endsWith(": Fail"))).toBe(true);
      expect(await page.getByText("What to do:").count()).toBeGreaterThan(0);
      expect(await page.getByText("Nothing was saved").count()).toBe(1);
      expect(await page.getByText(/^Version 1, changed/).count()).toBe(1);
      expect(await valueField(page, "New value").inputValue()).toBe("");
      await expectNowhere(page, shared.console, wrongSecret);

      await enter(d, valueField(page, "New value"), newSecret);
      await select(d, page.getByRole("button", { name: "Test with this value" }));
      await reached(d, heading(page, /^The connection check passed with the value you entered/));
      for (const step of await checkSteps(page)) expect(step).toMatch(/: Pass$/);
      expect(await page.getByText(/^Version 1, changed/).count()).toBe(1);
      await expectNowhere(page, shared.console, newSecret);

      // The console kept nothing: the value is pasted again, then saved.
      await enter(d, valueField(page, "New value"), newSecret);
      await select(d, page.getByRole("button", { name: "Save", exact: true }));
      await reached(d, flash(page, "SALESFORCE_CLIENT_SECRET saved in Production as version 2."));
      expect(await text(page.locator(".flash"))).toContain("The connection check passed.");
      expect(await secretsListed(page)).toContain("SALESFORCE_CLIENT_SECRET v2");

      // The Salesforce page reports the passing check; Preview still holds version 1.
      const topBar = page.getByRole("navigation", { name: "Application" });
      await select(d, topBar.getByRole("link", { name: "Integrations" }));
      await reached(d, heading(page, "Salesforce"));
      const production = page.getByRole("region", { name: "Production" });
      expect(await text(production.locator(".last-check").first())).toMatch(
        /^Last connection check: Passed,/,
      );
      const preview = page.getByRole("region", { name: "Preview" });
      expect(await text(preview.getByRole("row", { name: /SALESFORCE_CLIENT_SECRET/ }))).toMatch(
        /v1/,
      );

      // The audit log names the rotation, and never the value.
      await select(d, topBar.getByRole("link", { name: "Audit log" }));
      await reached(d, heading(page, "Audit log"));
      const rotated = page
        .locator("table.audit tbody tr")
        .filter({ hasText: "saved a new value of SALESFORCE_CLIENT_SECRET (version 2)" });
      expect(await text(rotated)).toMatch(/Olivia Owner Production saved a new value/);
      await expectNowhere(page, shared.console, newSecret);
    },
    JOURNEY_TIMEOUT,
  );
});
