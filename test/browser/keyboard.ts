// Moving through a page with the keyboard alone, as an owner without a mouse does: Tab until
// the wanted control has the focus, and prove the focus can be seen there.

import type { Locator, Page } from "playwright-core";

/** More Tab presses than any console page has stops; past it the control is unreachable. */
const MAX_TABS = 80;

// The browser globals the in-page functions use: the project compiles without the DOM library.
declare const document: { activeElement: unknown };
declare function getComputedStyle(element: unknown): {
  outlineStyle: string;
  outlineWidth: string;
  boxShadow: string;
};

/** Presses Tab until `target` has the focus; returns how many presses it took. */
export async function tabTo(page: Page, target: Locator): Promise<number> {
  // Found once: finding by role and name after every press would cost more than the press.
  const element = await target.elementHandle();
  try {
    for (let presses = 1; presses <= MAX_TABS; presses++) {
      await page.keyboard.press("Tab");
      if (await element!.evaluate((node) => node === document.activeElement)) {
        await expectVisibleFocus(target);
        return presses;
      }
    }
  } finally {
    await element?.dispose();
  }
  throw new KeyboardUnreachableError(target, MAX_TABS);
}

/** The focused control must look focused: an outline or a ring from the stylesheet. */
async function expectVisibleFocus(target: Locator): Promise<void> {
  const ring = await target.evaluate((element) => {
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) > 0;
    return outline || style.boxShadow !== "none";
  });
  if (!ring) throw new FocusInvisibleError(target);
}

export class KeyboardUnreachableError extends Error {
  constructor(target: Locator, tabs: number) {
    super(`${target} did not get the focus within ${tabs} presses of Tab`);
    this.name = "KeyboardUnreachableError";
  }
}

export class FocusInvisibleError extends Error {
  constructor(target: Locator) {
    super(`${target} has the focus but shows no outline or focus ring`);
    this.name = "FocusInvisibleError";
  }
}
