// Housing: the agreement page of the demo (progress per priority group, the warning for
// support never confirmed), a placement recorded by the corporation and its support
// confirmed by the care organisation; the municipality page with its projection; axe.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoViolations } from '../lib/axe.mjs';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';
import { signIn } from '../lib/session.mjs';

const env = useAppAndBrowser();

/** Realised count of a priority group in the per-group table, e.g. "4 / 8" → 4. */
async function realised(page, label) {
  const row = page.locator('#per-group tbody tr', { hasText: label });
  const text = (await row.locator('td').first().textContent()).trim();
  return Number(text.split('/')[0].trim());
}

async function openDemoAgreement(page) {
  await gotoExpect(page, '/afspraken');
  await page.getByRole('link', { name: /Prestatieafspraken Wijkerveen/ }).click();
  await page.locator('#per-group').waitFor({ state: 'visible' });
  return page.url();
}

test('housing: the agreement page shows progress and the unconfirmed-support warning', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL);
  try {
    await openDemoAgreement(page);
    assert.equal(await realised(page, 'Statushouders'), 4);
    assert.match(await page.locator('#support-warning').textContent(), /zonder bevestigde begeleiding/);
    assert.ok((await page.locator('#progress tbody tr').count()) >= 6, 'a line per group, municipality and year');
    assert.equal(await page.locator('#placement-form').count(), 0, 'anonymous visitors get no form');
    assert.equal(await page.locator('#placements').count(), 0, 'and no placements');
    await expectNoViolations(page, 'agreement page');
    await gotoExpect(page, '/wonen/GM9901');
    await page.locator('#projection-chart').waitFor({ state: 'visible' });
    assert.match(await page.locator('#social-share').textContent(), /%/);
    assert.ok((await page.locator('#projection tbody tr').count()) >= 10);
    await expectNoViolations(page, 'municipality housing page');
  } finally {
    await context.close();
  }
});

test('housing: the corporation records a placement and the care organisation confirms its support', { timeout: TEST_TIMEOUT_MS }, async () => {
  const corp = await newPage(env.browser, env.baseURL);
  const care = await newPage(env.browser, env.baseURL);
  try {
    await signIn(corp.page, 'corporatie');
    const url = await openDemoAgreement(corp.page);
    const before = await realised(corp.page, 'Uitstroom beschermd wonen');
    await expectNoViolations(corp.page, 'agreement page with forms');
    await corp.page.selectOption('#pl-group', 'leaving_sheltered_housing');
    await corp.page.fill('#pl-buurt', 'BU99010203');
    await corp.page.fill('#pl-bsn', '123456782');
    await corp.page.selectOption('#pl-org', 'wv-ggz');
    await corp.page.fill('#pl-support', 'Ambulante woonbegeleiding (e2e)');
    // Without the household's consent the covenant refuses.
    await corp.page.click('#placement-form button[type=submit]');
    assert.match(await corp.page.locator('main').textContent(), /convenant|covenant/i);
    await corp.page.goto(url);
    await corp.page.selectOption('#pl-group', 'leaving_sheltered_housing');
    await corp.page.fill('#pl-buurt', 'BU99010203');
    await corp.page.fill('#pl-bsn', '123456782');
    await corp.page.selectOption('#pl-org', 'wv-ggz');
    await corp.page.fill('#pl-support', 'Ambulante woonbegeleiding (e2e)');
    await corp.page.check('#pl-consent');
    await corp.page.click('#placement-form button[type=submit]');
    await corp.page.locator('#agreement-message').waitFor({ state: 'visible' });
    assert.equal(await realised(corp.page, 'Uitstroom beschermd wonen'), before + 1);
    assert.ok(!(await corp.page.content()).includes('123456782'), 'the BSN is never shown');

    await signIn(care.page, 'ggz');
    await care.page.goto(url);
    const row = care.page.locator('#placements tbody tr', { hasText: 'Ambulante woonbegeleiding (e2e)' });
    await row.getByRole('button', { name: 'Begeleiding bevestigen' }).click();
    await care.page.locator('#agreement-message').waitFor({ state: 'visible' });
    const confirmed = care.page.locator('#placements tbody tr', { hasText: 'Ambulante woonbegeleiding (e2e)' });
    // Confirmed on a date written the Dutch way ("7 dec 2026"), not as an ISO code.
    assert.match(await confirmed.locator('td').last().textContent(), /^\s*\d{1,2} [a-z]{3} \d{4}\s*$/);
  } finally {
    await corp.context.close();
    await care.context.close();
  }
});
