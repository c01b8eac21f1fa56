// 2. Keyboard focus on a map area shows its label.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';

const env = useAppAndBrowser();
const MAX_TABS = 80;

test('tabbing onto a map area shows its name and value', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL);
  try {
    await gotoExpect(page, '/gemeente/GM9901');
    const firstArea = page.locator('svg#map a.area').first();
    await firstArea.waitFor({ state: 'visible' });

    // Labels are hidden until hover/focus.
    const hiddenBefore = await firstArea
      .locator('.area-label')
      .evaluate((el) => getComputedStyle(el).visibility);
    assert.equal(hiddenBefore, 'hidden', 'area label is hidden before focus');

    let focused = null;
    for (let i = 0; i < MAX_TABS; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || !el.matches('svg#map a.area')) return null;
        const label = el.querySelector('.area-label');
        return {
          ariaLabel: el.getAttribute('aria-label'),
          href: el.getAttribute('href'),
          labelText: label?.textContent.trim() ?? '',
          visibility: label ? getComputedStyle(label).visibility : null,
          stroke: getComputedStyle(el.querySelector('path')).strokeWidth,
        };
      });
      if (focused) break;
    }
    assert.ok(focused, `an a.area in svg#map got keyboard focus within ${MAX_TABS} Tab presses`);
    // "Name: value", e.g. "Centrum: -0,50".
    assert.match(focused.ariaLabel ?? '', /^\S[^:]*: .*\d/, 'aria-label has a name and a value');
    const [name] = focused.ariaLabel.split(':');
    assert.ok(name.trim().length > 1, 'aria-label starts with the area name');
    assert.equal(focused.visibility, 'visible', '.area-label is visible while the area has focus');
    assert.ok(focused.labelText.includes(name.trim()), '.area-label shows the area name');
    assert.equal(focused.stroke, '3px', 'focused area is outlined (stroke-width 3)');

    // Next Tab: the previous label hides again, the next area shows its label.
    await page.keyboard.press('Tab');
    const prevVisibility = await page
      .locator(`svg#map a.area[href="${focused.href}"] .area-label`)
      .evaluate((el) => getComputedStyle(el).visibility);
    assert.equal(prevVisibility, 'hidden', 'label hides again when focus moves on');

    // Mouse hover shows the label as well.
    await page.mouse.move(0, 0);
    const last = page.locator('svg#map a.area').last();
    await last.scrollIntoViewIfNeeded();
    // A point that really hits this area (polygons need not be convex).
    const point = await last.evaluate((a) => {
      const r = a.getBoundingClientRect();
      for (let fy = 0.5; fy < 1; fy += 0.05) {
        for (const sy of [1, -1]) {
          for (let fx = 0.5; fx < 1; fx += 0.05) {
            for (const sx of [1, -1]) {
              const x = r.left + r.width * (0.5 + sx * (fx - 0.5));
              const y = r.top + r.height * (0.5 + sy * (fy - 0.5));
              const hit = document.elementFromPoint(x, y);
              if (hit && a.contains(hit)) return { x, y };
            }
          }
        }
      }
      return null;
    });
    assert.ok(point, 'found a point inside the last map area');
    await page.mouse.move(point.x, point.y);
    const hoverVisibility = await last
      .locator('.area-label')
      .evaluate((el) => getComputedStyle(el).visibility);
    assert.equal(hoverVisibility, 'visible', '.area-label is visible on hover');
  } finally {
    await context.close();
  }
});
