// Initiatives and participatory budgeting: every public page without axe violations on a
// desktop and a phone; a resident votes through the forms on a phone, reading the e-mail
// code from the server's mail outbox (the server's [mail] sender is a file in its data dir).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { expectNoViolations } from '../lib/axe.mjs';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';
import { assertNoHorizontalScroll, PHONE } from '../lib/layout.mjs';
import { signIn } from '../lib/session.mjs';

const env = useAppAndBrowser({ config: '[mail]\nsender = "file"\npath = "outbox.jsonl"\n' });
const pages = {};

/** The demo's rounds and initiatives, looked up once the server runs. */
async function demoPages() {
  if (pages.list) return pages;
  const rounds = await (await fetch(`${env.baseURL}/api/v1/budget-rounds`)).json();
  const voting = rounds.find((r) => r.phase === 'voting');
  const done = rounds.find((r) => r.phase === 'result');
  assert.ok(voting && done, 'the demo has a voting and a finished round');
  const initiatives = await (await fetch(`${env.baseURL}/api/v1/initiatives`)).json();
  assert.ok(initiatives.length > 0, 'the demo has initiatives');
  pages.voting = voting;
  pages.list = [
    '/initiatieven',
    '/initiatieven?gebied=WK990103',
    `/initiatief/${initiatives[0].id}`,
    `/begroting/${voting.id}`,
    `/begroting/${done.id}`,
    `/begroting/${done.id}/uitslag`,
    `/begroting/${voting.id}/uitslag`,
  ];
  return pages;
}

/** The newest 6-digit code mailed to an address. */
function codeFor(email) {
  const lines = readFileSync(join(env.server.dataDir, 'outbox.jsonl'), 'utf8').trim().split('\n');
  const mails = lines.map((l) => JSON.parse(l)).filter((m) => m.to === email);
  assert.ok(mails.length > 0, `a mail to ${email}`);
  const match = mails.at(-1).body.match(/\b(\d{6})\b/);
  assert.ok(match, 'the mail holds a 6-digit code');
  return match[1];
}

for (const [label, options] of [
  ['desktop', {}],
  ['phone', PHONE],
]) {
  test(`axe (${label}): every public participation page`, { timeout: TEST_TIMEOUT_MS * 2 }, async () => {
    const { context, page } = await newPage(env.browser, env.baseURL, options);
    try {
      await demoPages();
      for (const path of pages.list) {
        await gotoExpect(page, path);
        if (label === 'phone') await assertNoHorizontalScroll(page, path);
        await expectNoViolations(page, `${path} (${label})`);
      }
      // The English version too.
      await gotoExpect(page, `${pages.list[3]}?lang=en`);
      await expectNoViolations(page, `${pages.list[3]} in English (${label})`);
    } finally {
      await context.close();
    }
  });
}

test('a resident votes on a phone with an e-mail code; a second vote is refused', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL, PHONE);
  const email = 'e2e-bewoner@oost.voorbeeld.nl';
  const round = (await demoPages()).voting;
  try {
    await gotoExpect(page, `/begroting/${round.id}`);
    const before = Number(await page.locator('#ballots').textContent());

    // A postcode outside the area: an error next to the form, what was typed is kept.
    await page.fill('#email', email);
    await page.fill('#postcode', '9110 AB');
    await page.fill('#house_number', '4');
    await page.click('#code-submit');
    assert.match(await page.locator('#form-error').textContent(), /niet in het gebied/);
    assert.equal(await page.inputValue('#email'), email);
    await expectNoViolations(page, 'round page with a form error (phone)');

    // A postcode in WK990103 (9310 AB lies in buurt BU99010301): the code step.
    await page.fill('#postcode', '9310 AB');
    await page.click('#code-submit');
    await page.locator('#code-sent').waitFor();
    await assertNoHorizontalScroll(page, 'code step');
    await expectNoViolations(page, 'code step (phone)');

    // Two projects within half the budget, and the code from the mail.
    await page.getByLabel(/Straatfeest/).check();
    await page.getByLabel(/Ontmoetingsbank/).check();
    await page.fill('#code', codeFor(email));
    await page.click('#vote-submit');
    const counted = page.locator('#vote-counted');
    await counted.waitFor();
    assert.match(await counted.textContent(), /Straatfeest/);
    assert.equal(Number(await page.locator('#ballots').textContent()), before + 1, 'one more ballot');
    await expectNoViolations(page, 'vote counted (phone)');

    // Once more: a new code is sent, but the vote is refused.
    await gotoExpect(page, `/begroting/${round.id}`);
    await page.fill('#email', email);
    await page.fill('#postcode', '9320AB');
    await page.fill('#house_number', '4');
    await page.click('#code-submit');
    await page.locator('#code-sent').waitFor();
    await page.getByLabel(/Geveltuintjes/).check();
    await page.fill('#code', codeFor(email));
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/stem')), page.click('#vote-submit')]);
    assert.equal(response.status(), 409);
    assert.match(await page.locator('#form-error').textContent(), /al gestemd/);
    assert.equal(Number(await page.locator('#ballots').textContent()), before + 1, 'still one more ballot');
  } finally {
    await context.close();
  }
});

test('a resident proposes an initiative and a neighbour supports it, on a phone', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL, PHONE);
  try {
    await gotoExpect(page, '/initiatieven?gebied=WK990103');
    // Without a title: the error sits next to the field and the typed text stays.
    await page.fill('#description', 'Een bakje met boeken bij de bushalte.');
    await page.click('#propose-submit');
    // In the page's language, without the field's code (issue 17).
    const titleError = await page.locator('#title-error').textContent();
    assert.match(titleError, /verplicht/);
    assert.doesNotMatch(titleError, /title|required/);
    assert.equal(await page.inputValue('#description'), 'Een bakje met boeken bij de bushalte.');
    assert.equal(await page.inputValue('#area_code'), 'WK990103');
    await expectNoViolations(page, 'proposal form with an error (phone)');
    await page.fill('#title', 'Boekenbakje bij de bushalte');
    await page.click('#propose-submit');
    await page.locator('#proposed').waitFor();
    await assertNoHorizontalScroll(page, 'new initiative');
    assert.match(await page.locator('#supporters').textContent(), /^0 /);

    const email = 'e2e-buur@oost.voorbeeld.nl';
    await page.fill('#email', email);
    await page.fill('#postcode', '9340 AB');
    await page.fill('#house_number', '21');
    await page.click('#code-submit');
    await page.locator('#code-sent').waitFor();
    await page.fill('#code', codeFor(email));
    await page.click('#support-submit');
    await page.locator('#supported').waitFor();
    assert.match(await page.locator('#supporters').textContent(), /^1 /);
    await expectNoViolations(page, 'support counted (phone)');
  } finally {
    await context.close();
  }
});

test('axe: the staff page of budgeting rounds', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL);
  try {
    await signIn(page, 'beleid');
    await gotoExpect(page, '/begrotingen');
    assert.ok(await page.locator('#rounds').isVisible(), 'the rounds table');
    await expectNoViolations(page, '/begrotingen');
  } finally {
    await context.close();
  }
});
