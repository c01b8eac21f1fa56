// 4. Keyboard-only flow: search from the home page and open the first result.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';
import { tabUntil } from '../lib/keyboard.mjs';

const env = useAppAndBrowser();
test('keyboard only: search "Centrum" and open the first result', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL);
  try {
    await gotoExpect(page, '/');

    // The first Tab lands on the skip link, which then becomes visible on screen.
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => {
      const el = document.activeElement;
      const r = el.getBoundingClientRect();
      return { cls: el.className, href: el.getAttribute('href'), left: r.left, right: r.right };
    });
    assert.equal(skip.cls, 'skip-link', 'first Tab focuses the skip link');
    assert.equal(skip.href, '#inhoud');
    assert.ok(skip.left >= 0 && skip.right <= 1280, 'focused skip link is on screen');

    await tabUntil(page, 'input#q', 'search input');
    await page.keyboard.type('Centrum');
    await Promise.all([page.waitForURL(/[?&]q=Centrum(&|$)/), page.keyboard.press('Enter')]);
    assert.equal(await page.locator('input#q').inputValue(), 'Centrum', 'query kept in the input');
    const firstResult = page.locator('ul.results li a').first();
    await firstResult.waitFor({ state: 'visible' });
    const firstHref = await firstResult.getAttribute('href');
    assert.match(firstHref ?? '', /^\/(gebied|gemeente)\//, 'first result links to an area');

    await tabUntil(page, 'ul.results li:first-child a', 'first search result');
    await Promise.all([page.waitForURL((u) => u.pathname === firstHref), page.keyboard.press('Enter')]);

    assert.match(new URL(page.url()).pathname, /^\/gebied\/(WK|BU)\d+$/, 'landed on an area page');
    const h1 = (await page.locator('h1').textContent()) ?? '';
    assert.match(h1, /Centrum/, 'the area page is about Centrum');
    assert.ok((await page.locator('#indicators').count()) === 1, 'area page shows #indicators');
  } finally {
    await context.close();
  }
});
