// 3. axe-core (WCAG 2.0/2.1 A + AA) on every page type. Any violation fails.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoViolations } from '../lib/axe.mjs';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';

const env = useAppAndBrowser();

// [label, path, expected HTTP status, element that proves it is the right page]
const PAGES = [
  ['home', '/', 200, '#demo-notice'],
  ['home with search results', '/?q=centrum', 200, 'ul.results li a'],
  ['municipality (wijk level)', '/gemeente/GM9901', 200, 'svg#map'],
  ['municipality (buurt level)', '/gemeente/GM9901?indicator=population&niveau=buurt', 200, 'svg#map'],
  ['wijk area page', '/gebied/WK990101', 200, '#pressure-score'],
  ['buurt area page (boundary change warning)', '/gebied/BU99010503', 200, '#trend-warning'],
  ['buurt area page (CBS-secret values)', '/gebied/BU99010304', 200, '#indicators'],
  ['focus areas', '/focusgebieden', 200, 'h1'],
  ['social rent', '/sociale-huur', 200, 'h1'],
  ['indicators', '/indicatoren', 200, 'h1'],
  ['404 error page (unknown area)', '/gebied/GM0000', 404, '#request-id'],
  ['404 error page (unknown path)', '/nope', 404, 'h1'],
  ['home (English)', '/?lang=en', 200, '#demo-notice'],
  ['municipality (English)', '/gemeente/GM9901?lang=en', 200, 'svg#map'],
];

for (const [label, path, status, marker] of PAGES) {
  test(`axe: ${label} ${path}`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page } = await newPage(env.browser, env.baseURL);
    try {
      await gotoExpect(page, path, status);
      assert.ok((await page.locator(marker).count()) > 0, `${path} shows ${marker}`);
      if (path.includes('lang=en')) {
        assert.equal(await page.getAttribute('html', 'lang'), 'en', `${path} is English`);
      }
      await expectNoViolations(page, `${label} (${path})`);
    } finally {
      await context.close();
    }
  });
}
