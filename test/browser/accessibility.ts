// Accessibility checks of a page as the browser shows it: axe-core's rules, and a stricter
// rule of our own that every field has a label element (axe also accepts a title or an
// aria-label, which a sighted owner never sees).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

export interface Violation {
  rule: string;
  impact: string;
  help: string;
  /** CSS selectors of the offending elements. */
  targets: string[];
}

/**
 * Runs axe-core on the page. page.evaluate is not subject to the console's CSP (script-src
 * 'self'), so the library is evaluated in the page rather than added as a script element.
 * Without JavaScript the page's timers never fire and axe would wait forever, so the same
 * markup is audited in a page that runs scripts, at the same address and with the console's
 * stylesheet, and with any script of the console's own blocked, as in the page itself.
 */
export async function axeViolations(page: Page, javaScript: boolean): Promise<Violation[]> {
  if (javaScript) return runAxe(page);

  const browser = page.context().browser();
  if (!browser) throw new AuditSetupError("the page has no browser to open an audit page in");
  const snapshot = { address: page.url(), markup: await page.content(), title: await page.title() };
  const viewport = page.viewportSize();

  // One audit page per browser, used by one audit at a time.
  const previous = auditQueues.get(browser) ?? Promise.resolve();
  const audit = previous.then(async () => {
    const copy = await auditPageOf(browser);
    current.set(copy, snapshot);
    if (viewport) await copy.setViewportSize(viewport);
    await copy.goto(snapshot.address);
    if ((await copy.title()) !== snapshot.title) {
      throw new AuditSetupError(`the audit page did not show ${snapshot.address}`);
    }
    return runAxe(copy);
  });
  auditQueues.set(
    browser,
    audit.then(
      () => {},
      () => {},
    ),
  );
  return audit;
}

const auditQueues = new WeakMap<Browser, Promise<void>>();
const auditPages = new WeakMap<Browser, Promise<Page>>();
const current = new WeakMap<Page, { address: string; markup: string; title: string }>();

function auditPageOf(browser: Browser): Promise<Page> {
  let opened = auditPages.get(browser);
  if (!opened) {
    opened = (async () => {
      const context = await browser.newContext({ javaScriptEnabled: true });
      const copy = await context.newPage();
      await copy.route("**/*", (route) => {
        const request = route.request();
        const snapshot = current.get(copy);
        // The audit page only ever opens the snapshot's address: any document is the snapshot.
        if (request.resourceType() === "document" && snapshot) {
          return route.fulfill({ status: 200, contentType: "text/html", body: snapshot.markup });
        }
        if (request.resourceType() === "script") return route.abort();
        return route.continue();
      });
      return copy;
    })();
    auditPages.set(browser, opened);
  }
  return opened;
}

async function runAxe(page: Page): Promise<Violation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(`(async () => {
    const results = await axe.run(document, { resultTypes: ["violations"] });
    return results.violations.map((v) => ({
      rule: v.id,
      impact: v.impact || "unknown",
      help: v.help,
      targets: v.nodes.map((node) => node.target.join(" ")),
    }));
  })()`);
}

/** Fields (input, select, textarea) with no label element pointing at them or around them. */
export function unlabelledFields(page: Page): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll("input, select, textarea")]
    .filter((field) => field.type !== "hidden" && field.type !== "submit")
    .filter((field) => field.labels.length === 0)
    .map((field) => field.outerHTML.slice(0, 120))`);
}

export class AuditSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuditSetupError";
  }
}
