// Residents' front door and neighbourhood page: no login, a postcode finds the buurt, the
// page shows key figures with their source (the demo's: fictional, never CBS), outreach
// under disclosure control and the area programme; accessible (axe, WCAG 2.1 A+AA) on a
// desktop and on a phone, without sideways scrolling on the phone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoViolations } from '../lib/axe.mjs';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';
import { assertNoHorizontalScroll, PHONE } from '../lib/layout.mjs';
import { signIn } from '../lib/session.mjs';

const env = useAppAndBrowser();

for (const [label, options] of [
  ['desktop', {}],
  ['phone', PHONE],
]) {
  test(`a resident finds their buurt by postcode (${label})`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page } = await newPage(env.browser, env.baseURL, options);
    try {
      await gotoExpect(page, '/bewoners');
      await expectNoViolations(page, `/bewoners (${label})`);
      if (label === 'phone') await assertNoHorizontalScroll(page, '/bewoners');

      // A mistyped postcode is explained next to the field and kept.
      await page.getByLabel('Postcode').fill('12345');
      await page.getByRole('button', { name: 'Zoek mijn buurt' }).click();
      await page.locator('#postcode-error').waitFor();
      assert.match(await page.locator('#postcode-error').textContent(), /vier cijfers en twee letters/);
      assert.equal(await page.getByLabel('Postcode').inputValue(), '12345');
      await expectNoViolations(page, `/bewoners with an error (${label})`);

      // Demo postcode 9120 AB lies in buurt BU99010102 (wijk WK990101).
      await page.getByLabel('Postcode').fill('9120 ab');
      await page.getByRole('button', { name: 'Zoek mijn buurt' }).click();
      await page.waitForURL(/\/buurt\/BU99010102$/);
      assert.match(await page.locator('h1').textContent(), /BU99010102/);
      await expectNoViolations(page, `/buurt/BU99010102 (${label})`);
      if (label === 'phone') await assertNoHorizontalScroll(page, '/buurt/BU99010102');

      const main = await page.locator('main').textContent();
      // The demo buurt is fictional: its key figures say so and never claim CBS as source.
      assert.match(await page.locator('#figures-source').textContent(), /^Bron: fictieve demogegevens/);
      assert.doesNotMatch(main, /Bron: CBS/);
      assert.match(main, /Samen Sterk in Wijkerveen-Noord/, 'the programme covering the wijk');
      assert.ok((await page.locator('#key-figures tbody tr').count()) >= 5, 'key figures');
      assert.equal(await page.locator('#outreach-figures').count(), 1);
      assert.equal(await page.locator('#act-report').getAttribute('href'), '/melden?buurt=BU99010102');

      // Up to the wijk, which lists its buurten.
      await page.locator('.crumbs a', { hasText: 'Centrum' }).click();
      await page.waitForURL(/\/buurt\/WK/);
      assert.ok((await page.locator('a[href^="/buurt/BU"]').count()) >= 2, 'buurten of the wijk');
      await expectNoViolations(page, `wijk page (${label})`);
    } finally {
      await context.close();
    }
  });
}

test('an administrator routes reports to an organisation on a page', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL);
  try {
    await signIn(page, 'beheer');
    await gotoExpect(page, '/beheer');
    await page.locator('#report-routing-link').click();
    await page.waitForURL(/\/beheer\/meldingen-routering$/);
    await expectNoViolations(page, '/beheer/meldingen-routering');
    const before = await page.locator('#report-routing tbody tr').count();

    // A mistyped area code is explained and kept.
    await page.getByLabel('Gebiedscode (GM, WK of BU)').fill('WK99');
    await page.getByRole('button', { name: 'Toevoegen' }).click();
    await page.locator('#routing-error').waitFor();
    assert.equal(await page.getByLabel('Gebiedscode (GM, WK of BU)').inputValue(), 'WK99');
    await expectNoViolations(page, 'routing with an error');

    await page.getByLabel('Gebiedscode (GM, WK of BU)').fill('WK990102');
    await page.getByLabel('Soort melding').selectOption('groen');
    await page.getByLabel('Organisatie').selectOption('wv-corporatie');
    await page.getByRole('button', { name: 'Toevoegen' }).click();
    await page.waitForURL(/\/beheer\/meldingen-routering$/);
    assert.equal(await page.locator('#report-routing tbody tr').count(), before + 1);
    assert.match(await page.locator('#report-routing').textContent(), /WK990102/);
  } finally {
    await context.close();
  }
});
