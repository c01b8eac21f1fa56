// Keyboard helpers.
import assert from 'node:assert/strict';

const MAX_TABS = 40;

/** Presses Tab until the focused element matches `selector`; returns the number of presses. */
export async function tabUntil(page, selector, what = selector, maxTabs = MAX_TABS) {
  for (let i = 1; i <= maxTabs; i++) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate(
      (sel) => !!document.activeElement && document.activeElement.matches(sel),
      selector,
    );
    if (hit) return i;
  }
  const active = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
  assert.fail(`${what} (${selector}) not focused after ${maxTabs} Tab presses; focus is on ${active}`);
}

/** True when the focused element matches `selector`. */
export function focusedMatches(page, selector) {
  return page.evaluate((sel) => !!document.activeElement && document.activeElement.matches(sel), selector);
}
