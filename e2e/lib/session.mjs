// Signing in and out through the real login form, and the demo accounts.
import assert from 'node:assert/strict';
import { gotoExpect } from './fixture.mjs';

export const SESSION_COOKIE = 'leefwijk_session';

/** Demo accounts of `leefwijk serve --demo` (collaboration "wijkerveen" unless noted). */
export const DEMO_USERS = {
  beheer: 'beheerder',
  beleid: 'beleidsmedewerker',
  wijkteam: 'wijkteammedewerker',
  regisseur: 'regisseur',
  ggz: 'professional',
  corporatie: 'professional',
  privacy: 'privacy_officer',
  'beheer-dijkhoven': 'beheerder', // another collaboration
};

/** The demo password of a demo account. */
export const demoPassword = (username) => `demo-${username}-leefwijk`;

const isLoginPost = (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/inloggen';

/**
 * Submits the form on the current /inloggen page (mouse-free: fills the fields, clicks
 * #login-submit). Resolves with the HTTP status of the POST once the resulting page is
 * there: after a 303 the page it redirected to, otherwise the form again with #login-error.
 */
export async function submitLogin(page, username, password) {
  await page.fill('#username', username);
  await page.fill('#password', password);
  const [res] = await Promise.all([page.waitForResponse(isLoginPost), page.click('#login-submit')]);
  await settleAfterLogin(page, res);
  return res.status();
}

/** Waits until the navigation started by a login POST (response `res`) has finished. */
export async function settleAfterLogin(page, res) {
  if (res.status() === 303) {
    await page.waitForURL((u) => u.pathname !== '/inloggen', { waitUntil: 'load' });
  } else {
    await page.locator('#login-error').waitFor({ state: 'visible' });
    await page.waitForLoadState('load');
  }
}

/**
 * Opens /inloggen (with ?terug=... when given) and signs in. Fails unless the server
 * redirects (303). Returns the pathname the browser landed on.
 */
export async function signIn(page, username, password = demoPassword(username), { terug } = {}) {
  await gotoExpect(page, terug ? `/inloggen?terug=${encodeURIComponent(terug)}` : '/inloggen');
  const status = await submitLogin(page, username, password);
  if (status !== 303) {
    const error = await page.locator('#login-error').textContent().catch(() => '');
    assert.fail(`sign in as ${username}: expected HTTP 303, got ${status} (${error?.trim()})`);
  }
  return new URL(page.url()).pathname;
}

/** Clicks the header's #logout button (a POST form) and waits for the signed-out home page. */
export async function signOut(page) {
  await Promise.all([page.waitForURL((u) => u.pathname === '/', { waitUntil: 'load' }), page.click('#logout')]);
  await page.locator('#login-link').waitFor({ state: 'visible' });
}

/** The session cookie as Chromium stored it for `baseURL`, or undefined. */
export async function sessionCookie(context, baseURL) {
  return (await context.cookies(baseURL)).find((c) => c.name === SESSION_COOKIE);
}

/**
 * Registers a person through the partner API (`POST /api/v1/persons`) with the bearer
 * credential `ID:SECRET`. Returns { status, body }.
 */
export async function registerPerson(baseURL, bearer, bsn) {
  const res = await fetch(`${baseURL}/api/v1/persons`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ bsn }),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}
