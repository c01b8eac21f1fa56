// Area programme: the public results report of the demo programme, reached from the
// list, with its goals, money per stream and business case; accessible (axe) and with a
// print layout that hides the navigation. Policy staff record a commitment as delivered on
// the same page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoViolations } from '../lib/axe.mjs';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';
import { signIn } from '../lib/session.mjs';

const env = useAppAndBrowser();

test('the demo programme report opens from the list and adds up', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL);
  try {
    await gotoExpect(page, '/programmas');
    await expectNoViolations(page, '/programmas');
    await page.getByRole('link', { name: /Samen Sterk in Wijkerveen-Noord/ }).click();
    await page.locator('#programme-report').waitFor({ state: 'visible' });
    assert.match(await page.locator('h1').textContent(), /Samen Sterk/);

    // Goals with progress, commitments kept, money and the business case are all there.
    assert.equal(await page.locator('#goals tbody tr').count(), 2);
    assert.match(await page.locator('#kept').textContent(), /2 van 5/);
    assert.equal((await page.locator('#contributed').textContent()).trim(), '€ 600.000');
    assert.equal((await page.locator('#spent').textContent()).trim(), '€ 173.700');
    const streams = await page.locator('#streams tbody th').allTextContents();
    assert.ok(streams.length >= 4, `four funding streams: ${streams}`);
    assert.equal(await page.locator('#scenarios tbody tr').count(), 3, 'base and two scenarios');
    assert.match(await page.locator('main').textContent(), /Het grootboek sluit/);
    // The demo programme is fictional: its report names that as its source, never CBS.
    const main = await page.locator('main').textContent();
    assert.match(main, /Bron: fictieve demogegevens/);
    assert.doesNotMatch(main, /Bron: CBS/);

    // The full ledger opens, with the correction visible as its own booking.
    await page.locator('main details summary').click();
    assert.match(await page.locator('#ledger').textContent(), /corrigeert T00008/);
    await expectNoViolations(page, 'programme report');

    // Printing hides the site navigation but keeps the report.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('header.site-header').isVisible(), false);
    assert.equal(await page.locator('#goals').isVisible(), true);
  } finally {
    await context.close();
  }
});

test('policy staff record a commitment as delivered on the report page', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL);
  try {
    await signIn(page, 'beleid');
    await gotoExpect(page, '/programmas');
    await page.getByRole('link', { name: /Samen Sterk in Wijkerveen-Noord/ }).click();
    await page.locator('#programme-report').waitFor({ state: 'visible' });
    const before = await page.locator('#kept').textContent();
    const kept = Number(before.trim().split(' ')[0]);
    // The first commitment that can be delivered: choose it by its label and record it.
    const form = page.locator('#commitments form', { has: page.locator('option[value="delivered"]') }).first();
    await form.locator('select').selectOption('delivered');
    await expectNoViolations(page, 'programme report with the commitment forms');
    await Promise.all([page.waitForURL(/#commitments$/, { waitUntil: 'load' }), form.getByRole('button').click()]);
    assert.equal(Number((await page.locator('#kept').textContent()).trim().split(' ')[0]), kept + 1);
  } finally {
    await context.close();
  }
});
