// 5. Phone viewport: no horizontal page scroll, map visible, no axe violations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoViolations } from '../lib/axe.mjs';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';

const env = useAppAndBrowser();
const PHONE = {
  viewport: { width: 375, height: 740 },
  screen: { width: 375, height: 740 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};

/** Page width facts; `wide` lists elements that stick out past the viewport. */
async function widthFacts(page) {
  return page.evaluate(() => {
    const vw = window.innerWidth;
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > vw + 1) {
        // Inside a horizontally scrollable wrapper is fine.
        let p = el.parentElement;
        let contained = false;
        while (p && p !== document.body) {
          const ox = getComputedStyle(p).overflowX;
          if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') { contained = true; break; }
          p = p.parentElement;
        }
        if (!contained) {
          const id = el.id ? `#${el.id}` : '';
          const cls = el.getAttribute('class') ? `.${el.getAttribute('class').trim().split(/\s+/).join('.')}` : '';
          wide.push(`${el.tagName.toLowerCase()}${id}${cls} right=${Math.round(r.right)}`);
        }
      }
    }
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: vw,
      wide: wide.slice(0, 10),
    };
  });
}

async function assertNoHorizontalScroll(page, path) {
  const f = await widthFacts(page);
  assert.ok(
    f.scrollWidth <= f.innerWidth + 1,
    `${path}: horizontal scroll at 375px: scrollWidth ${f.scrollWidth} > innerWidth ${f.innerWidth}; ` +
      `elements past the right edge: ${f.wide.join(', ') || '(none found)'}`,
  );
}

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
