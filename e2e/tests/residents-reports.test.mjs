// Public-space reports: a resident files a report on a phone (no account, no JavaScript
// needed), follows the private status link in a fresh browser, and answers the
// satisfaction question after the municipality closed it; the handling team's list marks
// overdue reports. axe (WCAG 2.1 A/AA) on the public pages on desktop and phone, and on
// the staff pages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoViolations } from '../lib/axe.mjs';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';
import { assertNoHorizontalScroll } from '../lib/layout.mjs';
import { signIn } from '../lib/session.mjs';

const env = useAppAndBrowser();

/** A 390×844 phone. */
const PHONE_390 = {
  viewport: { width: 390, height: 844 },
  screen: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};

/** A valid 1×1 PNG (metadata stripping itself is tested in Rust). */
function tinyPng() {
  return Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  );
}

/** Files a report through the form on `page`; returns the status page's URL. */
async function fileReport(page, description) {
  await gotoExpect(page, '/melden');
  await page.selectOption('#category', 'verval.zwerfafval');
  await page.fill('#description', description);
  await page.fill('#postcode', '9110 AB');
  await page.fill('#house_number', '5');
  await page.fill('#location_note', 'bij de container');
  await page.setInputFiles('#photo', { name: 'afval.png', mimeType: 'image/png', buffer: tinyPng() });
  await Promise.all([page.waitForURL(/\/melding\/[0-9a-f]{64}\?nieuw=1$/), page.click('#report-submit')]);
  await page.locator('#report-filed').waitFor({ state: 'visible' });
  return new URL(page.url());
}

test('phone: file a report through the form and follow its status link', { timeout: TEST_TIMEOUT_MS }, async () => {
  const phone = await newPage(env.browser, env.baseURL, PHONE_390);
  let statusPath;
  try {
    await gotoExpect(phone.page, '/melden');
    await assertNoHorizontalScroll(phone.page, '/melden on a phone');
    await expectNoViolations(phone.page, 'phone /melden');
    const url = await fileReport(phone.page, 'Zakken met afval naast de container, al drie dagen.');
    statusPath = url.pathname;
    assert.match(await phone.page.locator('#report-status').textContent(), /Gemeld/);
    assert.match(await phone.page.locator('#report-description').textContent(), /al drie dagen/);
    assert.equal(await phone.page.locator('main img').count(), 1, 'the photo is shown');
    await assertNoHorizontalScroll(phone.page, 'status page on a phone');
    await expectNoViolations(phone.page, 'phone status page (new)');
  } finally {
    await phone.context.close();
  }
  // The link works on its own, in another browser: nothing but the token is needed.
  const other = await newPage(env.browser, env.baseURL, PHONE_390);
  try {
    const res = await gotoExpect(other.page, statusPath);
    assert.equal(res.headers()['referrer-policy'], 'no-referrer');
    assert.match(await other.page.locator('#report-status').textContent(), /Gemeld/);
    assert.equal(await other.page.locator('#report-filed').count(), 0, 'the welcome is only shown once');
    assert.match(await other.page.locator('#report-history').textContent(), /Gemeld/);
    await expectNoViolations(other.page, 'phone status page');
  } finally {
    await other.context.close();
  }
});

test('desktop axe: the form, its errors and the status page', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL);
  try {
    await gotoExpect(page, '/melden');
    await expectNoViolations(page, 'desktop /melden');
    // Sent empty: the errors are listed on top and next to their fields.
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.click('#report-submit'),
    ]);
    assert.equal(res.status(), 400);
    await page.locator('#form-errors').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#description').getAttribute('aria-invalid'), 'true');
    assert.ok(await page.locator('#category-error').isVisible());
    await expectNoViolations(page, 'desktop /melden with errors');
    const url = await fileReport(page, 'Losse stoeptegels voor de ingang van de school.');
    await expectNoViolations(page, 'desktop status page');
    await gotoExpect(page, `${url.pathname}?lang=en`);
    assert.match(await page.locator('#report-status').textContent(), /Reported/);
    await expectNoViolations(page, 'desktop status page (English)');
  } finally {
    await context.close();
  }
});

test('staff close a report; the reporter answers the satisfaction question once', { timeout: TEST_TIMEOUT_MS }, async () => {
  const resident = await newPage(env.browser, env.baseURL, PHONE_390);
  const staff = await newPage(env.browser, env.baseURL);
  try {
    const url = await fileReport(resident.page, 'Volle afvalbak bij de bushalte, afval waait weg.');
    const id = (await resident.page.locator('h1').textContent()).match(/M-[0-9a-f]+/)[0];

    await signIn(staff.page, 'beleid');
    await gotoExpect(staff.page, '/meldingen');
    await expectNoViolations(staff.page, 'staff list');
    assert.ok((await staff.page.locator('#report-list .mark-overdue').count()) > 0, 'demo reports are overdue');
    await gotoExpect(staff.page, `/meldingen/${id}`);
    await expectNoViolations(staff.page, 'staff detail');
    // Closing without a text is refused with the reason; with a text it is stored.
    await staff.page.selectOption('#new-status', 'closed');
    await Promise.all([staff.page.waitForLoadState('load'), staff.page.click('#status-form button')]);
    await staff.page.locator('#status-error').waitFor({ state: 'visible' });
    await staff.page.selectOption('#new-status', 'closed');
    await staff.page.fill('#status-text', 'Afvalbak geleegd en een grotere geplaatst.');
    await Promise.all([staff.page.waitForURL(new RegExp(`/meldingen/${id}$`)), staff.page.click('#status-form button')]);
    assert.match(await staff.page.locator('#detail-status').textContent(), /Afgehandeld/);

    await gotoExpect(resident.page, url.pathname);
    assert.match(await resident.page.locator('#report-history').textContent(), /grotere geplaatst/);
    await expectNoViolations(resident.page, 'phone status page with the satisfaction question');
    await resident.page.check('#score-4');
    await Promise.all([resident.page.waitForURL(/bedankt=1/), resident.page.click('#satisfaction-form button')]);
    await resident.page.locator('#satisfaction-thanks').waitFor({ state: 'visible' });
    assert.match(await resident.page.locator('#satisfaction-given').textContent(), /4 \/ 5/);
    assert.equal(await resident.page.locator('#satisfaction-form').count(), 0, 'asked once');
  } finally {
    await resident.context.close();
    await staff.context.close();
  }
});

test('on a phone a resident points at the spot on the map, then files the report', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL, PHONE_390);
  try {
    await gotoExpect(page, '/melden?gemeente=GM9901');
    await expectNoViolations(page, '/melden with the map (phone)');
    await assertNoHorizontalScroll(page, '/melden with the map');
    const map = page.locator('#map');
    const box = await map.boundingBox();
    assert.equal(Math.round(box.width) - 2, 340, 'the map image (plus its 1px border) is never scaled: clicks are in its own pixels');

    await page.getByLabel('Beschrijving').fill('Losliggende stoeptegels bij de bushalte (test)');
    await map.click({ position: { x: Math.round(box.width * 0.4), y: Math.round(box.height * 0.5) } });
    await page.locator('#map-picked').waitFor();
    // The buurt by its name, never its CBS code (issue 17).
    assert.match(await page.locator('#map-picked').textContent(), /Gekozen plek in buurt \p{L}[\p{L} -]+\./u);
    assert.doesNotMatch(await page.locator('#map-picked').textContent(), /BU\d/);
    assert.equal(await page.getByLabel('Beschrijving').inputValue(), 'Losliggende stoeptegels bij de bushalte (test)');
    assert.match(await page.locator('#lat').inputValue(), /^\d+\.\d{6}$/);
    await expectNoViolations(page, '/melden after a map click (phone)');

    await page.locator('#category').selectOption('verval.zwerfafval');
    await page.locator('#report-submit').click();
    await page.waitForURL(/\/melding\//);
    assert.match(await page.locator('main').textContent(), /Buurt\s*\p{L}/u, 'the status page names the buurt');
    assert.doesNotMatch(await page.locator('main').textContent(), /BU9901\d{4}|\d{4}-\d{2}-\d{2}/, 'no code, no ISO date');
  } finally {
    await context.close();
  }
});
