// Debian's Chromium driven by playwright-core, for the browser journeys and the screenshots.
// No browser is downloaded: CI installs the chromium package, a laptop uses its own.

import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's package; CHROMIUM_PATH names another build, such as a laptop's own Chromium. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** Flags for a headless run in a container: no sandbox, no GPU, no calls home. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new ChromiumMissingError(CHROMIUM_PATH);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export class ChromiumMissingError extends Error {
  constructor(path: string) {
    super(
      `No Chromium at ${path}: install it (apt-get install -y chromium) or set ` +
        "CHROMIUM_PATH to a Chromium or Chrome executable.",
    );
    this.name = "ChromiumMissingError";
  }
}

export interface PageOptions {
  javaScript: boolean;
  /** CSS pixels; a laptop's window by default. */
  viewport?: { width: number; height: number };
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
}

/** A page in a context of its own: its own cookies, JavaScript on or off. */
export async function openPage(browser: Browser, options: PageOptions): Promise<OpenedPage> {
  const context = await browser.newContext({
    javaScriptEnabled: options.javaScript,
    viewport: options.viewport ?? { width: 1280, height: 800 },
  });
  // Pages answer in milliseconds; a slow machine running the whole suite gets room anyway.
  context.setDefaultTimeout(20_000);
  return { context, page: await context.newPage() };
}
