// Journey 2: an owner adds the three Salesforce credentials to Preview with the help article's
// steps word for word, tests the connection, then brings them to Production with Copy and tests
// the connection there.

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
  flash,
  heading,
  openOverview,
  openSecretsTab,
  reached,
  secretsListed,
  select,
  signIn,
  testConnection,
  text,
} from "./steps.ts";

const shared = useConsoleWithOwner();

describe.each(SCRIPT_MODES)("adding the Salesforce credentials, $mode", ({ javaScript }) => {
  it(
    "adds them to Preview as the article says, tests the connection, copies them to Production",
    async () => {
      const fake = await fakeOrgFor("add");
      const page = await pageFor(shared.browser, javaScript);
      const d = driver(page, { javaScript });
      const application = `Acme Pipeline ${javaScript ? "scripted" : "plain"}`;
      await signIn(d, shared.console.url, OWNER);
      await createApplication(d, application);

      // Navigate to your application, select Configuration, select the Secrets tab; then
      // steps 4 to 7 (Add secret, Secret name, Value, Save) for each of the three secrets.
      await openSecretsTab(d, application);
      expect(await text(heading(page, /^Secrets in /))).toBe("Secrets in Preview");
      await addSecret(d, "Preview", "SALESFORCE_CLIENT_ID", fake.state.clientId);
      await addSecret(d, "Preview", "SALESFORCE_CLIENT_SECRET", fake.state.clientSecret);
      await addSecret(d, "Preview", "SALESFORCE_INSTANCE_URL", fake.url);
      expect(await secretsListed(page)).toEqual([
        "SALESFORCE_CLIENT_ID v1",
        "SALESFORCE_CLIENT_SECRET v1",
        "SALESFORCE_INSTANCE_URL v1",
      ]);
      await expectNowhere(page, shared.console, fake.state.clientSecret);

      await testConnection(d, "Preview");
      expect(await text(heading(page, /^Connection check/))).toBe(
        "Connection check in Preview: Passed",
      );
      const steps = await checkSteps(page);
      expect(steps.length).toBeGreaterThan(2);
      for (const step of steps) expect(step).toMatch(/: Pass$/);
      await expectNowhere(page, shared.console, fake.state.clientSecret);
      await expectNowhere(page, shared.console, fake.state.accessToken);

      // The same three in Production, copied on the server from Preview.
      await select(d, page.getByRole("link", { name: "Secrets in Preview" }));
      await reached(d, heading(page, "Secrets in Preview"));
      await select(d, page.getByRole("link", { name: "Copy to another environment" }));
      await reached(d, heading(page, "Copy secrets from Preview"));
      expect(await text(page.getByLabel("Copy to").locator("option:checked"))).toBe("Production");
      expect(await page.getByRole("radio", { name: "All 3 secrets" }).isChecked()).toBe(true);
      await select(d, page.getByRole("button", { name: "Copy", exact: true }));
      await reached(d, flash(page, "Copied to Production: 3 added."));
      expect(await text(heading(page, /^Secrets in /))).toBe("Secrets in Production");
      expect(await secretsListed(page)).toEqual([
        "SALESFORCE_CLIENT_ID v1",
        "SALESFORCE_CLIENT_SECRET v1",
        "SALESFORCE_INSTANCE_URL v1",
      ]);

      await testConnection(d, "Production");
      expect(await text(heading(page, /^Connection check/))).toBe(
        "Connection check in Production: Passed",
      );

      // The overview across environments has nothing missing.
      await select(d, page.getByRole("link", { name: "Secrets in Production" }));
      await reached(d, heading(page, "Secrets in Production"));
      await openOverview(d);
      const cells = page.locator("table.overview tbody td");
      expect(await cells.count()).toBe(6);
      expect(await page.locator("table.overview .badge-fail").count()).toBe(0);
      expect(fake.requests.filter((r) => r.endpoint === "token").length).toBe(2);
    },
    JOURNEY_TIMEOUT,
  );
});
