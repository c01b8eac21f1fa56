// Residents' panels and own data (AVG inzage): the public pages have no axe violations on
// a desktop and a 390×844 phone; a resident answers the open survey on the phone; the
// request form shows its errors at the fields; the privacy officer's pages pass axe.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoViolations } from '../lib/axe.mjs';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';
import { assertNoHorizontalScroll } from '../lib/layout.mjs';
import { signIn } from '../lib/session.mjs';

const env = useAppAndBrowser();

const PHONE_390 = {
  viewport: { width: 390, height: 844 },
  screen: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};

/** The demo's open surveys: the invitation survey and the open one. */
async function demoSurveys() {
  const res = await fetch(`${env.baseURL}/api/v1/surveys`);
  assert.equal(res.status, 200);
  const surveys = await res.json();
  const invitation = surveys.find((s) => s.mode === 'invitation');
  const open = surveys.find((s) => s.mode === 'open');
  assert.ok(invitation && open, `the demo has both kinds: ${JSON.stringify(surveys)}`);
  return { invitation, open };
}

async function publicPages() {
  const { invitation, open } = await demoSurveys();
  return ['/panels', invitation.url, open.url, invitation.results_url, open.results_url, '/inzage'];
}

for (const [label, options] of [
  ['desktop', {}],
  ['phone 390x844', PHONE_390],
]) {
  test(`residents' panel and inzage pages: no axe violations (${label})`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page } = await newPage(env.browser, env.baseURL, options);
    try {
      for (const path of await publicPages()) {
        await gotoExpect(page, path);
        await expectNoViolations(page, `${path} (${label})`);
        if (options.viewport) await assertNoHorizontalScroll(page, path);
      }
    } finally {
      await context.close();
    }
  });
}

test('a resident answers the open survey on a phone', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { open } = await demoSurveys();
  const { context, page } = await newPage(env.browser, env.baseURL, PHONE_390);
  try {
    await gotoExpect(page, '/panels');
    await page.getByRole('link', { name: open.title, exact: true }).click();
    await page.locator('#survey-form').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#code').count(), 0, 'an open survey asks no code');
    // Tap the labels, as on a phone.
    await page.getByText('Het wijkteam', { exact: true }).tap();
    await page.getByText('5 (heel goed)', { exact: true }).tap();
    await Promise.all([page.waitForURL(/\/enquete\//), page.locator('#survey-submit').tap()]);
    await page.locator('#survey-thanks').waitFor({ state: 'visible' });
    await expectNoViolations(page, 'survey thanks (phone)');
    await assertNoHorizontalScroll(page, 'survey thanks');
    // Five answers now: still under the threshold, so nothing is published.
    await page.getByRole('link', { name: /tussenstand/i }).tap();
    assert.match(await page.locator('#responses').textContent(), /verborgen/);
  } finally {
    await context.close();
  }
});

test('an invitation survey refuses a wrong code at the field', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { invitation } = await demoSurveys();
  const { context, page } = await newPage(env.browser, env.baseURL, PHONE_390);
  try {
    await gotoExpect(page, invitation.url);
    await page.fill('#code', 'ZZZZZ-ZZZZZ');
    await page.getByText('Ja, duidelijk', { exact: true }).tap();
    await page.locator('#survey-submit').tap();
    await page.locator('#code-error').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#code').inputValue(), 'ZZZZZ-ZZZZZ', 'what was typed is kept');
    assert.equal(await page.locator('#code').getAttribute('aria-invalid'), 'true');
    assert.ok(await page.getByText('Ja, duidelijk', { exact: true }).isVisible());
    await expectNoViolations(page, 'survey with a code error (phone)');
  } finally {
    await context.close();
  }
});

test('the inzage form shows errors at the fields and gives a reference', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL, PHONE_390);
  try {
    await gotoExpect(page, '/inzage');
    await page.selectOption('#tenant', 'wijkerveen');
    await page.fill('#bsn', '123456789');
    await page.fill('#name', 'Test Bewoner (fictief)');
    await page.locator('#inzage-submit').tap();
    await page.locator('#bsn-error').waitFor({ state: 'visible' });
    assert.match(await page.locator('#bsn-error').textContent(), /elfproef/);
    assert.ok(await page.locator('#email-error').isVisible(), 'no address for the answer');
    assert.equal(await page.locator('#name').inputValue(), 'Test Bewoner (fictief)');
    await expectNoViolations(page, 'inzage form with errors (phone)');
    await assertNoHorizontalScroll(page, 'inzage form with errors');
    // 999999990 passes the elfproef: 9·(9+8+…+2) − 0 = 396 = 36 × 11.
    await page.fill('#bsn', '999999990');
    await page.fill('#email', 'bewoner@example.org');
    await page.locator('#inzage-submit').tap();
    await page.locator('#inzage-receipt').waitFor({ state: 'visible' });
    assert.match(await page.locator('#reference').textContent(), /\S/);
    await expectNoViolations(page, 'inzage receipt (phone)');
  } finally {
    await context.close();
  }
});

test("the privacy officer's inzage pages pass axe and show the overdue request", { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL);
  try {
    await signIn(page, 'privacy', undefined, { terug: '/privacy/inzage' });
    await gotoExpect(page, '/privacy/inzage');
    assert.match(await page.locator('#overdue-count').textContent(), /1/);
    await expectNoViolations(page, '/privacy/inzage');
    await page.locator('#requests tbody a').first().click();
    await page.locator('#status').waitFor({ state: 'visible' });
    await expectNoViolations(page, 'inzage request detail');
    await page.fill('#note-verify', 'ID-kaart gezien aan de balie');
    await page.click('#verify-submit');
    await page.locator('#export-link').waitFor({ state: 'visible' });
    await page.click('#export-link');
    await page.locator('#inzage-export').waitFor({ state: 'visible' });
    await expectNoViolations(page, 'printable export');
  } finally {
    await context.close();
  }
});

test('policy staff manage panels and read the open answers of a survey', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL);
  try {
    await signIn(page, 'beleid');
    await gotoExpect(page, '/panelbeheer');
    await expectNoViolations(page, '/panelbeheer');
    // The residents' survey of the demo has 24 responses: its open answers are shown.
    await page.getByRole('link', { name: /open antwoorden .*Wijkerveen|open antwoorden/ }).first().click();
    await page.waitForURL(/\/open-antwoorden$/);
    await expectNoViolations(page, 'open answers');
    const count = Number(await page.locator('#responses').textContent());
    if (count >= 10) {
      assert.ok((await page.locator('.open-answers li').count()) > 0, 'answers listed');
    } else {
      assert.equal(await page.locator('#open-hidden').count(), 1, 'hidden below the threshold');
    }
  } finally {
    await context.close();
  }
});
