// The look an owner relies on: styles served by the console itself, pages that fit a phone's
// width with the application and the environment in view, and tables that stay tables.

import { describe, expect, it } from "vitest";
import { openPage } from "./chromium.ts";
import { driver, fakeOrgFor, JOURNEY_TIMEOUT, OWNER, useConsoleWithOwner } from "./harness.ts";
import {
  addSecret,
  createApplication,
  type Driver,
  heading,
  openOverview,
  reached,
  secretRow,
  select,
  signIn,
  switchEnvironment,
} from "./steps.ts";

const shared = useConsoleWithOwner();
const PHONE = { width: 360, height: 740 };

/** The elements that reach past the phone's right edge, which make the page scroll sideways. */
function pastTheEdge(d: Driver): Promise<string[]> {
  return d.page.evaluate(`[...document.querySelectorAll("body *")]
    .filter((element) => element.checkVisibility())
    .filter((element) => element.getBoundingClientRect().right > ${PHONE.width})
    .map((element) => element.tagName.toLowerCase() + "." + element.className + " " +
      Math.round(element.getBoundingClientRect().right) + "px")`);
}

describe("the console's look", () => {
  it(
    "fits a 360 px phone with the application and environment in view, from its own styles",
    async () => {
      const fake = await fakeOrgFor("layout");
      const { page, context } = await openPage(shared.browser, {
        javaScript: true,
        viewport: PHONE,
      });
      const requested: string[] = [];
      page.on("request", (request) => requested.push(request.url()));
      try {
        const d = driver(page, { javaScript: true });
        await signIn(d, shared.console.url, OWNER);
        await createApplication(d, "Acme Quarterly Pipeline Review");
        for (const [name, value] of [
          ["SALESFORCE_CLIENT_ID", fake.state.clientId],
          ["SALESFORCE_CLIENT_SECRET", fake.state.clientSecret],
          ["SALESFORCE_INSTANCE_URL", fake.url],
        ] as const) {
          await addSecret(d, "Preview", name, value, ["Production"]);
        }

        const shown: string[] = [];
        const fits = async (what: string) => {
          expect(await pastTheEdge(d), `${what} is wider than the phone`).toEqual([]);
          shown.push(what);
        };
        await switchEnvironment(d, "Production");
        await fits("Secrets tab");
        const appName = page.getByRole("heading", { level: 1 });
        const current = page
          .getByRole("navigation", { name: "Environment" })
          .locator('[aria-current="page"]');
        expect(await appName.isVisible()).toBe(true);
        expect(await current.textContent()).toBe("Production");
        expect((await current.boundingBox())!.x + 1).toBeLessThan(PHONE.width);

        // However narrow, the secrets table is still a table to assistive technology.
        const cdp = await context.newCDPSession(page);
        const tree = (await cdp.send("Accessibility.getFullAXTree")) as {
          nodes: { role?: { value?: string } }[];
        };
        const roles = tree.nodes.map((node) => node.role?.value);
        expect(roles).toContain("table");
        expect(roles.filter((role) => role === "rowheader").length).toBe(3);

        await select(d, secretRow(page, "SALESFORCE_CLIENT_SECRET").getByText("More options"));
        await fits("the open More options menu");
        await select(
          d,
          secretRow(page, "SALESFORCE_CLIENT_SECRET").getByRole("link", {
            name: "Edit",
          }),
        );
        await reached(d, heading(page, "Edit SALESFORCE_CLIENT_SECRET in Production"));
        await fits("Edit");
        await page.goBack();
        await reached(d, heading(page, "Secrets in Production"));
        await openOverview(d);
        await fits("the overview");
        const topBar = page.getByRole("navigation", { name: "Application" });
        await select(d, topBar.getByRole("link", { name: "Integrations" }));
        await reached(d, heading(page, "Salesforce"));
        await fits("the Salesforce page");
        await select(d, topBar.getByRole("link", { name: "Audit log" }));
        await reached(d, heading(page, "Audit log"));
        await fits("the audit log");
        expect(shown.length).toBe(6);

        // Every request went to the console: no stylesheet, font or script from elsewhere.
        const origins = new Set(requested.map((address) => new URL(address).origin));
        expect([...origins]).toEqual([shared.console.url]);
        const header = await page
          .locator(".site-header")
          .evaluate((element) => getComputedStyle(element).backgroundColor);
        expect(header).toBe("rgb(27, 34, 48)");
      } finally {
        await context.close();
      }
    },
    JOURNEY_TIMEOUT,
  );
});

declare function getComputedStyle(element: unknown): { backgroundColor: string };
