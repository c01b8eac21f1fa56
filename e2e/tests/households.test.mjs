// Households: a coordinator (regisseur) of the neighbourhood team, after a match with the
// mental-health service, records consent, makes the joint plan, records a ZRM assessment
// twice and sees the chart change; a third organisation is refused. axe on the pages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoViolations } from '../lib/axe.mjs';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';
import { signIn } from '../lib/session.mjs';

const env = useAppAndBrowser();
const BSN = '123456782';

async function register(page, bsn) {
  await gotoExpect(page, '/huishoudens');
  await page.fill('#inv-bsn', bsn);
  await page.click('#register-form button[type=submit]');
  await page.locator('#households-message').waitFor({ state: 'visible' });
  return (await page.locator('#households-message').textContent()).trim();
}

/** Level per domain code, from the table under the chart: the last column. */
async function lastColumn(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('#zrm-table tbody tr')].map((tr) => tr.querySelector('td:last-child')?.textContent.trim() ?? ''),
  );
}

test('households: match, coordinator, consent, plan and two ZRM assessments change the chart', { timeout: TEST_TIMEOUT_MS }, async () => {
  const team = await newPage(env.browser, env.baseURL);
  const ggz = await newPage(env.browser, env.baseURL);
  const corp = await newPage(env.browser, env.baseURL);
  try {
    await signIn(team.page, 'regisseur');
    assert.match(await register(team.page, BSN), /Geregistreerd/);
    await signIn(ggz.page, 'ggz');
    assert.match(await register(ggz.page, BSN), /match/);
    await expectNoViolations(ggz.page, '/huishoudens with a match');

    // The coordinator sees the notice and takes the match.
    await team.page.goto('/huishoudens');
    assert.match(await team.page.locator('#notices').textContent(), /GGZ Veenstreek/);
    const row = team.page
      .locator('#matches tbody tr', { hasText: 'GGZ Veenstreek' })
      .filter({ has: team.page.locator('button.become-coordinator') })
      .first();
    const matchId = (await row.locator('th code').textContent()).trim();
    await row.locator('button.become-coordinator').click();
    await team.page.locator('#households-message').waitFor({ state: 'visible' });

    // Consent, then the plan.
    await team.page.fill('#con-bsn', BSN);
    await team.page.selectOption('#con-org', 'wv-wijkteam');
    await team.page.fill('#con-scope', 'Gezamenlijk plan (e2e)');
    await team.page.click('#consent-form button[type=submit]');
    await team.page.locator('#households-message').waitFor({ state: 'visible' });
    const planForm = team.page.locator('#matches tbody tr', { hasText: matchId }).locator('form.plan-form');
    await planForm.locator('input[name=bsn]').fill(BSN);
    await planForm.locator('textarea[name=own_goals]').fill('Rust in huis (e2e)');
    await planForm.locator('button[type=submit]').click();
    await team.page.locator('#joint-plan').waitFor({ state: 'visible' });
    assert.match(await team.page.locator('#own-goals').textContent(), /Rust in huis/);
    const planURL = team.page.url();
    assert.equal(await team.page.locator('#zrm-chart').getAttribute('data-assessments'), '0');

    // Two assessments: the chart gets a line each, and the table shows the change.
    await team.page.fill('#zrm-date', '2026-01-05');
    await team.page.selectOption('#zrm-finances', '1');
    await team.page.selectOption('#zrm-housing', '2');
    await team.page.click('#zrm-form button[type=submit]');
    await team.page.locator('#zrm-chart[data-assessments="1"]').waitFor();
    const first = await lastColumn(team.page);
    await team.page.selectOption('#zrm-finances', '3');
    await team.page.selectOption('#zrm-housing', '4');
    await team.page.click('#zrm-form button[type=submit]');
    await team.page.locator('#zrm-chart[data-assessments="2"]').waitFor();
    assert.equal(await team.page.locator('#zrm-chart g.zrm-line').count(), 2);
    assert.equal(await team.page.locator('#zrm-chart g.zrm-line.latest').count(), 1);
    const second = await lastColumn(team.page);
    assert.notDeepEqual(first, second, 'the newest assessment differs');
    assert.equal(second[0], '3', 'Financiën is now level 3');
    await expectNoViolations(team.page, 'joint plan');

    // A third organisation, neither involved nor consented, is refused with the rule.
    await signIn(corp.page, 'corporatie');
    const res = await corp.page.goto(planURL);
    assert.equal(res.status(), 403);
    assert.match(await corp.page.locator('main').textContent(), /betrokken|involved/i);
  } finally {
    await team.context.close();
    await ggz.context.close();
    await corp.context.close();
  }
});
