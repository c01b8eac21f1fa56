// 7. Access: signing in (keyboard only), session cookie flags, return after login,
// accounts made by the administrator, the covenant gate end to end (API → re-identify →
// audit), and axe on every access page (desktop and phone).
//
// Lockout: 5 failed logins lock an account. Only `regisseur` (used nowhere else) and
// accounts created by the tests themselves are given wrong passwords.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoViolations } from '../lib/axe.mjs';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';
import { focusedMatches, tabUntil } from '../lib/keyboard.mjs';
import { assertNoHorizontalScroll, PHONE } from '../lib/layout.mjs';
import {
  demoPassword,
  registerPerson,
  SESSION_COOKIE,
  sessionCookie,
  settleAfterLogin,
  signIn,
  signOut,
  submitLogin,
} from '../lib/session.mjs';

const env = useAppAndBrowser();

/** The account that takes the wrong passwords (at most 2 in this file, lockout is at 5). */
const WRONG_PASSWORD_USER = 'regisseur';
const BSN = '111222333';

const isPost = (path) => (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === path;
const pathOf = (page) => new URL(page.url()).pathname;

let userSeq = 0;
/** A username no other test uses. */
const freshUsername = (prefix) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++userSeq}`;

/** Runs `fn({ context, page })` in a fresh context (own cookies) and always closes it. */
async function withPage(fn, options = {}) {
  const { context, page } = await newPage(env.browser, env.baseURL, options);
  try {
    return await fn({ context, page });
  } finally {
    await context.close();
  }
}

/** The demo API client's `ID:SECRET`, printed by the server at start. */
function apiBearer() {
  assert.ok(
    env.server.apiBearer,
    'the server printed the demo API client credential ("Authorization: Bearer lwc_...:...") at start',
  );
  return env.server.apiBearer;
}

/** Registers BSN through the API and returns its pseudonym. */
async function pseudonymOf(bsn) {
  const { status, body } = await registerPerson(env.baseURL, apiBearer(), bsn);
  assert.ok(status === 201 || status === 200, `POST /api/v1/persons: HTTP ${status}: ${JSON.stringify(body)}`);
  assert.match(body?.pseudonym ?? '', /^[0-9a-f]{64}$/, `a 64-hex pseudonym in ${JSON.stringify(body)}`);
  return body.pseudonym;
}

/** Submits #pseudonym on /herleiden; returns the HTTP status of the POST. */
async function reidentify(page, pseudonym) {
  await gotoExpect(page, '/herleiden');
  await page.fill('#pseudonym', pseudonym);
  const [res] = await Promise.all([
    page.waitForResponse(isPost('/herleiden')),
    page.click('form[action="/herleiden"] button[type="submit"]'),
  ]);
  await page.locator('#reidentify-message').waitFor({ state: 'visible' });
  await page.waitForLoadState('load');
  return res.status();
}

/** As the signed-in admin on /beheer: creates a user; returns the one-time password from #secret. */
async function createUser(page, username, role = 'beleidsmedewerker') {
  await page.fill('#new-username', username);
  await page.fill('#new-name', `E2E ${username}`);
  await page.selectOption('#new-role', role);
  const [res] = await Promise.all([
    page.waitForResponse(isPost('/beheer/gebruikers')),
    page.click('#new-user button[type="submit"]'),
  ]);
  assert.equal(res.status(), 200, `creating user ${username}: HTTP ${res.status()}`);
  await page.locator('#secret-box').waitFor({ state: 'visible' });
  await page.waitForLoadState('load');
  const secret = ((await page.locator('#secret').textContent()) ?? '').trim();
  assert.ok(secret.length >= 12, `#secret shows a one-time password (got "${secret}")`);
  assert.match((await page.locator('#secret-box').textContent()) ?? '', new RegExp(username));
  return secret;
}

// ---------------------------------------------------------------------------------------
// 1. Login by keyboard only.

test('access: keyboard-only login from the home page lands on / signed in', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage(async ({ page }) => {
    await gotoExpect(page, '/');
    await tabUntil(page, 'a#login-link', 'header sign-in link');
    await Promise.all([page.waitForURL((u) => u.pathname === '/inloggen', { waitUntil: 'load' }), page.keyboard.press('Enter')]);

    await tabUntil(page, 'input#username', 'username field');
    await page.keyboard.type('beleid');
    await page.keyboard.press('Tab');
    assert.ok(await focusedMatches(page, 'input#password'), 'Tab from the username goes to the password');
    await page.keyboard.type(demoPassword('beleid'));
    const [res] = await Promise.all([page.waitForResponse(isPost('/inloggen')), page.keyboard.press('Enter')]);
    assert.equal(res.status(), 303, 'Enter in the password field submits; the server redirects');
    await settleAfterLogin(page, res);

    assert.equal(pathOf(page), '/werk', 'landed on the start page (Mijn werk)');
    const logout = page.locator('#logout');
    await logout.waitFor({ state: 'visible' });
    assert.match((await logout.textContent()) ?? '', /Uitloggen/, '#logout says "Uitloggen"');
    assert.equal(await page.locator('#login-link').count(), 0, 'no sign-in link when signed in');
    // The logout control is reachable by keyboard too.
    await tabUntil(page, 'button#logout', 'logout button');
  });
});

test('access: wrong password shows #login-error (401) and keeps the username', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage(async ({ page }) => {
    await gotoExpect(page, '/inloggen');
    await tabUntil(page, 'input#username', 'username field');
    await page.keyboard.type(WRONG_PASSWORD_USER);
    await page.keyboard.press('Tab');
    await page.keyboard.type('dit-is-niet-het-wachtwoord');
    const [res] = await Promise.all([page.waitForResponse(isPost('/inloggen')), page.keyboard.press('Enter')]);
    assert.equal(res.status(), 401, 'wrong password answers 401');
    await settleAfterLogin(page, res);

    assert.equal(pathOf(page), '/inloggen', 'still on the login page');
    const error = page.locator('#login-error');
    assert.ok(await error.isVisible(), '#login-error is shown');
    assert.match((await error.textContent()) ?? '', /Onjuiste gebruikersnaam of wachtwoord/);
    assert.equal(await error.getAttribute('role'), 'alert', '#login-error is announced (role=alert)');
    assert.equal(await page.inputValue('#username'), WRONG_PASSWORD_USER, 'username kept in the field');
    assert.equal(await page.inputValue('#password'), '', 'password not echoed back');
    assert.equal(await page.locator('#logout').count(), 0, 'not signed in');
  });
});

// ---------------------------------------------------------------------------------------
// 2. Session cookie flags, as Chromium stored them.

test('access: session cookie is HttpOnly, Secure and SameSite=Lax in Chromium', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage(async ({ context, page }) => {
    await gotoExpect(page, '/inloggen');
    await page.fill('#username', 'beleid');
    await page.fill('#password', demoPassword('beleid'));
    const [res] = await Promise.all([page.waitForResponse(isPost('/inloggen')), page.click('#login-submit')]);
    assert.equal(res.status(), 303);
    const setCookies = (await res.headersArray())
      .filter((h) => h.name.toLowerCase() === 'set-cookie')
      .map((h) => h.value);
    await settleAfterLogin(page, res);

    const sent = setCookies.find((v) => v.startsWith(`${SESSION_COOKIE}=`));
    assert.ok(sent, `the login response sets ${SESSION_COOKIE} (Set-Cookie: ${JSON.stringify(setCookies)})`);
    const stored = await sessionCookie(context, env.baseURL);
    assert.ok(
      stored,
      `Chromium did not store ${SESSION_COOKIE} on ${env.baseURL} (sent: "${sent}"); ` +
        'a Secure cookie over http://127.0.0.1 was rejected',
    );
    assert.equal(stored.httpOnly, true, 'httpOnly');
    assert.equal(stored.secure, true, 'secure');
    assert.equal(stored.sameSite, 'Lax', 'sameSite');
    assert.equal(stored.path, '/', 'path');
    assert.ok(stored.value.length >= 20, 'an unguessable token');
    // ...and the browser sends it back over http://127.0.0.1: we are signed in.
    assert.ok(await page.locator('#logout').isVisible(), 'signed in after the redirect (cookie sent back)');
    assert.equal(await page.evaluate(() => document.cookie.includes('leefwijk_session')), false, 'not visible to scripts');
  });
});

// ---------------------------------------------------------------------------------------
// 3. Return to the requested page after login.

test('access: /beheer signed out redirects to /inloggen?terug=/beheer and back after login', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage(async ({ page }) => {
    const res = await gotoExpect(page, '/beheer');
    const first = res.request().redirectedFrom();
    assert.ok(first, '/beheer redirected');
    assert.equal((await first.response())?.status(), 303, 'redirect status');
    // The brief asks for `?terug=%2Fbeheer`; `/` may also stand unencoded in a query
    // (RFC 3986 §3.4) and the server sends `?terug=/beheer`. Both are accepted here.
    const landed = new URL(page.url());
    assert.equal(landed.pathname, '/inloggen', 'redirected to the login page');
    assert.match(landed.search, /^\?terug=(%2F|\/)beheer$/i, `return path in the query (${landed.search})`);
    assert.equal(landed.searchParams.get('terug'), '/beheer');
    assert.equal(await page.inputValue('input[name="terug"]'), '/beheer', 'the form carries the return path');

    const status = await submitLogin(page, 'beheer', demoPassword('beheer'));
    assert.equal(status, 303);
    assert.equal(pathOf(page), '/beheer', 'back on /beheer after login');
    await page.locator('table#users').waitFor({ state: 'visible' });
    assert.ok(await page.locator('table#clients').isVisible(), '#clients table shown');
  });
});

test('access: ?terug= only returns to local paths (no open redirect)', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage(async ({ page }) => {
    const landed = await signIn(page, 'beleid', demoPassword('beleid'), { terug: '//example.org/phish' });
    assert.equal(landed, '/', 'an off-site return path falls back to /');
    assert.equal(new URL(page.url()).origin, env.baseURL, 'stayed on the Leefwijk origin');
  });
});

// ---------------------------------------------------------------------------------------
// 4. Admin creates a user; first login forces a new password.

test('access: admin creates a user; one-time password → /wachtwoord → new password works', { timeout: TEST_TIMEOUT_MS }, async () => {
  const username = freshUsername('e2e-nieuw');
  const newPassword = `e2e-eigen-wachtwoord-${Date.now()}`;
  await withPage(async ({ context, page }) => {
    await signIn(page, 'beheer', demoPassword('beheer'), { terug: '/beheer' });
    assert.equal(pathOf(page), '/beheer');
    const oneTime = await createUser(page, username);
    const row = page.locator('table#users tbody tr', { has: page.locator('th', { hasText: username }) });
    assert.equal(await row.count(), 1, 'the new user is listed in #users');
    assert.ok(
      (await row.getByRole('button', { name: new RegExp(`${username}$`) }).count()) === 1,
      'the new user has a "Wachtwoord resetten" button',
    );
    await signOut(page);
    assert.equal(await sessionCookie(context, env.baseURL), undefined, 'session cookie removed on logout');

    // First login with the one-time password: must choose a new one.
    const landed = await signIn(page, username, oneTime);
    assert.equal(landed, '/wachtwoord', 'a one-time password leads to /wachtwoord');
    assert.ok(await page.locator('#must-change').isVisible(), '#must-change notice shown');
    await page.fill('#current', oneTime);
    await page.fill('#new', newPassword);
    await page.fill('#repeat', newPassword);
    const [res] = await Promise.all([
      page.waitForResponse(isPost('/wachtwoord')),
      page.click('form[action="/wachtwoord"] button[type="submit"]'),
    ]);
    assert.equal(res.status(), 200, 'password changed');
    await page.locator('#password-changed').waitFor({ state: 'visible' });
    assert.equal(await sessionCookie(context, env.baseURL), undefined, 'changing the password ends the session');
  });

  await withPage(async ({ page }) => {
    const landed = await signIn(page, username, newPassword);
    assert.equal(landed, '/werk', 'the new password signs in, no further change asked');
    assert.match((await page.locator('#logout').textContent()) ?? '', new RegExp(`E2E ${username}`));
    await signOut(page);
    // The one-time password is gone.
    await gotoExpect(page, '/inloggen');
    assert.equal(await submitLogin(page, username, 'x'.repeat(12)), 401);
  });
});

test('access: 5 wrong passwords lock the account (429 in #login-error), even for the right password', { timeout: TEST_TIMEOUT_MS }, async () => {
  const username = freshUsername('e2e-slot');
  let oneTime;
  await withPage(async ({ page }) => {
    await signIn(page, 'beheer', demoPassword('beheer'), { terug: '/beheer' });
    oneTime = await createUser(page, username, 'regisseur');
  });
  await withPage(async ({ page }) => {
    await gotoExpect(page, '/inloggen');
    for (let i = 1; i <= 5; i++) {
      const status = await submitLogin(page, username, `fout-wachtwoord-${i}`);
      assert.ok(status === 401 || (i === 5 && status === 429), `failure ${i}: HTTP ${status}`);
    }
    assert.equal(await submitLogin(page, username, oneTime), 429, 'locked: even the right password is refused');
    const error = ((await page.locator('#login-error').textContent()) ?? '').trim();
    assert.match(error, /Te veel mislukte pogingen/, `#login-error explains the lockout (${error})`);
    assert.equal(await page.inputValue('#username'), username, 'username kept');
  });
});

// ---------------------------------------------------------------------------------------
// 5. The covenant gate end to end: API → re-identify (allowed / denied) → audit.

test('access: API registers a person; wijkteam re-identifies, corporatie is refused; audit shows both', { timeout: TEST_TIMEOUT_MS }, async () => {
  const pseudonym = await pseudonymOf(BSN);

  await withPage(async ({ page }) => {
    await signIn(page, 'wijkteam');
    assert.equal(await reidentify(page, pseudonym), 200, 'wijkteam may re-identify');
    assert.equal(((await page.locator('#bsn').textContent()) ?? '').trim(), BSN, '#bsn shows the BSN');
    assert.match((await page.locator('#reidentify-message').textContent()) ?? '', /auditlog/);
  });

  await withPage(async ({ page }) => {
    await signIn(page, 'corporatie');
    assert.equal(await reidentify(page, pseudonym), 403, 'corporatie is refused with 403');
    assert.equal(await page.locator('#bsn').count(), 0, 'no BSN shown');
    const msg = ((await page.locator('#reidentify-message').textContent()) ?? '').trim();
    assert.match(msg, /Geen toegang volgens het convenant/, `403 page names the covenant (${msg})`);
    assert.match(msg, /denied by \S+ v\d+/, `403 page names the deciding rule (${msg})`);
    assert.ok(!(await page.content()).includes(BSN), 'the BSN is nowhere on the 403 page');
  });

  await withPage(async ({ page }) => {
    await signIn(page, 'privacy', demoPassword('privacy'), { terug: '/audit' });
    assert.equal(pathOf(page), '/audit');
    await page.fill('#f-subject', pseudonym);
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/audit' && u.searchParams.get('subject') === pseudonym, { waitUntil: 'load' }),
      page.click('form[action="/audit"] button[type="submit"]'),
    ]);
    assert.equal(await page.inputValue('#f-subject'), pseudonym, 'filter kept in #f-subject');
    const rows = await page.locator('table#audit tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())),
    );
    // Columns: #, time, actor, purpose, action, data, pseudonym, outcome, rule.
    assert.ok(rows.length >= 2, `at least two audit rows for the pseudonym (got ${rows.length})`);
    for (const r of rows) assert.equal(r[6], pseudonym, `every row is about the pseudonym: ${r.join(' | ')}`);
    const outcomes = rows.map((r) => r[7]);
    // Outcomes by name, not code (issue 17).
    assert.ok(outcomes.includes('toegestaan'), `an allowed entry (outcomes: ${outcomes.join(', ')})`);
    assert.ok(outcomes.includes('geweigerd'), `a denied entry (outcomes: ${outcomes.join(', ')})`);
    const chain = ((await page.locator('#chain-status').textContent()) ?? '').trim();
    assert.match(chain, /^Keten intact/, `#chain-status: ${chain}`);
    assert.ok(!(await page.content()).includes(BSN), 'the audit page holds no BSN');
  });
});

// ---------------------------------------------------------------------------------------
// 6. axe on every access page. `as`: demo user to sign in first; `setup`: brings the page
// into the state to scan and returns the HTTP status; `marker`: proves it is that state.

const AXE_CASES = [
  { label: 'login', path: '/inloggen', marker: '#login-submit' },
  { label: 'login (English)', path: '/inloggen?lang=en', marker: '#login-submit', en: true },
  {
    label: 'login with error',
    marker: '#login-error',
    setup: async (page) => {
      await gotoExpect(page, '/inloggen');
      return submitLogin(page, WRONG_PASSWORD_USER, 'fout-wachtwoord-voor-axe');
    },
    status: 401,
  },
  { label: 'change password', as: 'beleid', path: '/wachtwoord', marker: '#repeat' },
  { label: 'administration', as: 'beheer', path: '/beheer', marker: '#new-client' },
  {
    label: 'administration with a new one-time password',
    as: 'beheer',
    marker: '#secret-box',
    setup: async (page) => {
      await gotoExpect(page, '/beheer');
      await createUser(page, freshUsername('e2e-axe'));
      return 200;
    },
  },
  { label: 'covenant', as: 'ggz', path: '/convenant', marker: '#grants' },
  { label: 'processing register', as: 'beleid', path: '/verwerkingsregister', marker: '#register' },
  { label: 'audit log', as: 'privacy', path: '/audit', marker: '#chain-status' },
  { label: 'audit log (English)', as: 'privacy', path: '/audit?lang=en', marker: '#chain-status', en: true },
  { label: 're-identify (empty)', as: 'wijkteam', path: '/herleiden', marker: '#pseudonym' },
  {
    label: 're-identify with a result',
    as: 'wijkteam',
    marker: '#bsn',
    setup: async (page) => reidentify(page, await pseudonymOf(BSN)),
  },
  {
    label: 're-identify refused (403)',
    as: 'corporatie',
    marker: '#reidentify-message',
    setup: async (page) => reidentify(page, await pseudonymOf(BSN)),
    status: 403,
  },
];

async function runAxeCase(c, options = {}) {
  await withPage(async ({ page }) => {
    if (c.as) await signIn(page, c.as);
    const status = c.setup ? await c.setup(page) : (await gotoExpect(page, c.path)).status();
    assert.equal(status, c.status ?? 200, `${c.label}: HTTP status`);
    assert.ok((await page.locator(c.marker).count()) > 0, `${c.label} shows ${c.marker}`);
    if (c.en) assert.equal(await page.getAttribute('html', 'lang'), 'en', `${c.label} is English`);
    if (options.phone) {
      assert.equal(await page.evaluate(() => window.innerWidth), 375, 'viewport is 375 px wide');
      await assertNoHorizontalScroll(page, `phone ${c.label}`);
    }
    await expectNoViolations(page, `${options.phone ? 'phone 375x740 ' : ''}${c.label} (${c.path ?? page.url()})`);
  }, options.phone ? PHONE : {});
}

for (const c of AXE_CASES) {
  test(`access axe: ${c.label}${c.path ? ` ${c.path}` : ''}`, { timeout: TEST_TIMEOUT_MS }, async () => {
    await runAxeCase(c);
  });
}

const PHONE_CASES = [
  { label: 'login', path: '/inloggen', marker: '#login-submit' },
  { label: 'administration', as: 'beheer', path: '/beheer', marker: '#new-client' },
  AXE_CASES.find((c) => c.label === 'administration with a new one-time password'),
  { label: 'audit log', as: 'privacy', path: '/audit', marker: '#chain-status' },
];

for (const c of PHONE_CASES) {
  test(`access phone 375x740: ${c.label}${c.path ? ` ${c.path}` : ''} fits and passes axe`, { timeout: TEST_TIMEOUT_MS }, async () => {
    await runAxeCase(c, { phone: true });
  });
}
