// The checks the journeys rely on catch what they are meant to catch: a page with a field
// without a label, text too faint to read, or a focus that cannot be seen fails them.

import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { axeViolations, unlabelledFields } from "./accessibility.ts";
import { pageFor, SCRIPT_MODES, useBrowser } from "./harness.ts";
import { FocusInvisibleError, tabTo } from "./keyboard.ts";

const shared = useBrowser();
const ADDRESS = "http://console.invalid/faulty";

/** Serves `markup` at a fixed address, as the console would, and opens it. */
async function serve(page: Page, markup: string): Promise<void> {
  await page.route(ADDRESS, (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: markup }),
  );
  await page.goto(ADDRESS);
}

const FAULTY = `<!doctype html><html lang="en"><head><title>Faulty</title></head><body>
  <main><h1>Faulty</h1>
  <p style="color: #c8c8c8; background: #fff">Text too faint to read.</p>
  <form><input name="value" type="text"><button>Save</button></form></main></body></html>`;

describe.each(SCRIPT_MODES)("the accessibility checks, $mode", ({ javaScript }) => {
  it("report a field without a label and text too faint to read", async () => {
    const page = await pageFor(shared.browser, javaScript);
    await serve(page, FAULTY);

    const violations = await axeViolations(page, javaScript);
    const rules = violations.map((v) => `${v.rule}:${v.impact}`);
    expect(rules).toContain("label:critical");
    expect(rules).toContain("color-contrast:serious");
    expect(await unlabelledFields(page)).toEqual(['<input name="value" type="text">']);
  });

  it("refuse a control whose focus cannot be seen", async () => {
    const page = await pageFor(shared.browser, javaScript);
    await serve(
      page,
      `<!doctype html><html lang="en"><title>Focus</title><body><main>
      <a href="#one">Seen</a> <a href="#two" style="outline: none">Unseen</a></main>`,
    );

    expect(await tabTo(page, page.getByRole("link", { name: "Seen", exact: true }))).toBe(1);
    await expect(tabTo(page, page.getByRole("link", { name: "Unseen" }))).rejects.toThrow(
      FocusInvisibleError,
    );
  });
});
