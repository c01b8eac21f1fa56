// 5. Phone viewport: no horizontal page scroll, map visible, no axe violations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoViolations } from '../lib/axe.mjs';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';
import { assertNoHorizontalScroll, PHONE } from '../lib/layout.mjs';

const env = useAppAndBrowser();
const MUNICIPALITY_PAGES = ['/gemeente/GM9901', '/gemeente/GM9901?indicator=population&niveau=buurt'];
const OTHER_PAGES = [
  '/',
  '/?q=centrum',
  '/gebied/WK990101',
  '/gebied/BU99010503',
  '/gebied/BU99010304',
  '/focusgebieden',
  '/sociale-huur',
  '/indicatoren',
  '/nope',
];

for (const path of MUNICIPALITY_PAGES) {
  test(`phone 375x740 layout: ${path} fits and shows the map`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page } = await newPage(env.browser, env.baseURL, PHONE);
    try {
      await gotoExpect(page, path);
      assert.equal(await page.evaluate(() => window.innerWidth), 375, 'viewport is 375 px wide');
      await assertNoHorizontalScroll(page, path);

      const map = page.locator('svg#map');
      await map.waitFor({ state: 'visible' });
      await map.scrollIntoViewIfNeeded();
      const box = await map.boundingBox();
      assert.ok(box, 'svg#map has a box');
      assert.ok(box.width > 200 && box.height > 100, `map is big enough (${box.width}x${box.height})`);
      assert.ok(box.x >= 0 && box.x + box.width <= 376, `map fits horizontally (x=${box.x}, w=${box.width})`);
      assert.ok(await map.locator('a.area').first().isVisible(), 'map areas are visible');
      assert.ok(await page.locator('select#indicator').isVisible(), 'indicator select visible');
      assert.ok(await page.locator('#show-map').isVisible(), 'show-map button visible');
    } finally {
      await context.close();
    }
  });
}

for (const path of OTHER_PAGES) {
  test(`phone 375x740 layout: ${path} has no horizontal scroll`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page } = await newPage(env.browser, env.baseURL, PHONE);
    try {
      await gotoExpect(page, path, path === '/nope' ? 404 : 200);
      await assertNoHorizontalScroll(page, path);
    } finally {
      await context.close();
    }
  });
}

for (const path of [...MUNICIPALITY_PAGES, ...OTHER_PAGES]) {
  test(`phone 375x740 axe: ${path}`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page } = await newPage(env.browser, env.baseURL, PHONE);
    try {
      await gotoExpect(page, path, path === '/nope' ? 404 : 200);
      await expectNoViolations(page, `phone 375x740 ${path}`);
    } finally {
      await context.close();
    }
  });
}
