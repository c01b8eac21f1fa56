// 6. Language switch: #lang-switch turns the site English, and it stays English (cookie).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';

const env = useAppAndBrowser();
const htmlLang = (page) => page.getAttribute('html', 'lang');
const text = async (page, sel) => ((await page.locator(sel).first().textContent()) ?? '').trim();

test('language switch to English sticks across pages, and back', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL);
  try {
    await gotoExpect(page, '/');
    assert.equal(await htmlLang(page), 'nl', 'Dutch by default');
    assert.equal(await text(page, 'h1'), 'Wijkbeeld');
    const sw = page.locator('#lang-switch');
    assert.equal(await sw.getAttribute('lang'), 'en', 'switch link is marked lang=en');
    assert.equal(await sw.getAttribute('hreflang'), 'en');

    await Promise.all([page.waitForURL(/[?&]lang=en(&|$)/), sw.click()]);
    assert.equal(await htmlLang(page), 'en', 'html lang is en after the switch');
    assert.equal(await text(page, 'h1'), 'Neighbourhood monitor');
    assert.match(await text(page, '#gm-title'), /^Municipalities/);
    assert.match(await text(page, 'label[for="q"]'), /^Search/);
    // The notice beside the real municipalities: the demo is fictional (English wording).
    assert.match(await text(page, '#demo-notice'), /fictional demo collaboration/);
    assert.match(await text(page, '#demo-title'), /^Fictional demo/);
    const cookies = await context.cookies();
    assert.ok(
      cookies.some((c) => c.name === 'lang' && c.value === 'en'),
      `a lang=en cookie is set (cookies: ${cookies.map((c) => `${c.name}=${c.value}`).join(', ')})`,
    );

    // Follow a normal link (no ?lang in it): still English.
    const focusLink = page.locator('nav a[href="/focusgebieden"]');
    assert.equal(await focusLink.textContent(), 'Focus areas', 'nav is English');
    await Promise.all([page.waitForURL((u) => u.pathname === '/focusgebieden'), focusLink.click()]);
    assert.equal(await htmlLang(page), 'en', 'focus page is English');
    assert.match(await text(page, 'h1'), /^Focus areas/);

    // Typed URL without ?lang: still English.
    await gotoExpect(page, '/gemeente/GM9901');
    assert.equal(await htmlLang(page), 'en', 'municipality page is English');
    assert.match(await text(page, '#map-heading'), /^Map: /);
    assert.equal(await text(page, '#show-map'), 'Show map');
    assert.match(await text(page, 'label[for="indicator"]'), /^Indicator/);
    await gotoExpect(page, '/gebied/WK990101');
    assert.equal(await htmlLang(page), 'en', 'area page is English');
    assert.equal(await text(page, '#pressure-heading'), 'Pressure index');

    // And back to Dutch from a deeper page.
    const back = page.locator('#lang-switch');
    assert.equal(await back.getAttribute('lang'), 'nl', 'switch link now points to Dutch');
    await Promise.all([page.waitForURL(/[?&]lang=nl(&|$)/), back.click()]);
    assert.equal(new URL(page.url()).pathname, '/gebied/WK990101', 'switching keeps the current page');
    assert.equal(await htmlLang(page), 'nl');
    assert.equal(await text(page, '#pressure-heading'), 'Drukindex');
    await gotoExpect(page, '/');
    assert.equal(await htmlLang(page), 'nl', 'Dutch sticks as well');
    assert.equal(await text(page, 'h1'), 'Wijkbeeld');
  } finally {
    await context.close();
  }
});
