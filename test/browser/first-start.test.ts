// Journey 1, by keyboard alone: a console's first start prints a setup link; the first owner
// opens it, creates their account, then a first application with Preview and Production.

import { describe, expect, it, onTestFinished } from "vitest";
import {
  driver,
  JOURNEY_TIMEOUT,
  OWNER,
  pageFor,
  SCRIPT_MODES,
  startTestConsole,
  useBrowser,
} from "./harness.ts";
import { createApplication, createFirstOwner, heading, open, text } from "./steps.ts";

const shared = useBrowser();

describe.each(SCRIPT_MODES)("a first start, $mode", ({ javaScript }) => {
  it(
    "creates the first owner from the setup link and a first application, by keyboard alone",
    async () => {
      const server = await startTestConsole();
      onTestFinished(() => server.stop());
      const link = await server.setupLink();
      expect(new URL(link).origin).toBe(server.url);

      const page = await pageFor(shared.browser, javaScript);
      const d = driver(page, { javaScript, keyboard: true });
      await createFirstOwner(d, link, OWNER);
      await expect(
        page.getByText("You are not a member of any application yet").count(),
      ).resolves.toBe(1);
      const account = page.getByRole("navigation", { name: "Account" });
      expect(await text(account.getByRole("link"))).toBe(OWNER.name);

      await createApplication(d, "Acme Sales Dashboard");
      expect(await text(page.getByRole("heading", { level: 1 }))).toBe("Acme Sales Dashboard");
      const tabs = page.getByRole("navigation", { name: "Configuration" });
      const current = tabs.locator('[aria-current="page"]');
      expect(await text(current)).toBe("Secrets");
      expect(await text(heading(page, /^Secrets in /))).toBe("Secrets in Preview");
      const switcher = page.getByRole("navigation", { name: "Environment" });
      expect(await switcher.getByRole("link").allTextContents()).toEqual([
        "Preview",
        "Production",
        "All environments",
      ]);
      expect(await page.getByText("No secrets in Preview yet.").count()).toBe(1);

      // The link worked once; opened again it says why it no longer does.
      await open(d, link, heading(page, "Not found"));
      expect(await page.getByText("This setup link has been used or has expired.").count()).toBe(1);
    },
    JOURNEY_TIMEOUT,
  );
});
