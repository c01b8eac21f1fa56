// Logboek Dataverwerkingen (issue 20): the privacy officer reaches the page from the menu,
// looks up a fictional demo person by BSN and reads the processing history with names
// (the partner's delivery and intake of their signals), on a desktop and a 320 px phone,
// with no axe violation; an invalid BSN is refused with a message naming the eleven test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoViolations } from '../lib/axe.mjs';
import { newPage } from '../lib/browser.mjs';
import { TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';
import { assertNoHorizontalScroll } from '../lib/layout.mjs';
import { signIn } from '../lib/session.mjs';

const env = useAppAndBrowser();

/** The demo's fictional BSN of household `seed` (crates/app/src/demo/signals.rs). */
function demoBsn(seed) {
  for (let n = 900_000_000 + ((seed * 7_919) % 90_000_000); ; n++) {
    const d = String(n).padStart(9, '0').split('').map(Number);
    const sum = d.slice(0, 8).reduce((s, x, i) => s + (9 - i) * x, 0) - d[8];
    if (sum % 11 === 0) return String(n);
  }
}

async function lookUp(page, bsn) {
  await page.fill('#f-bsn', bsn);
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/logboek'),
    page.click('form[action="/logboek"] button[type="submit"]'),
  ]);
  await page.waitForLoadState('load');
  return res.status();
}

for (const [label, viewport] of [
  ['desktop', { width: 1280, height: 900 }],
  ['phone', { width: 320, height: 740 }],
]) {
  test(`logboek: the privacy officer finds a demo person's processing history (${label})`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page } = await newPage(env.browser, env.baseURL, { viewport });
    try {
      await signIn(page, 'privacy');
      // On a phone the menu is one button; on a desktop an open bar.
      const toggle = page.locator('#site-menu > summary');
      if (await toggle.isVisible()) await toggle.click();
      await Promise.all([page.waitForURL('**/logboek'), page.click('#site-menu a[href="/logboek"]')]);
      await expectNoViolations(page, `logboek form ${label}`);

      assert.equal(await lookUp(page, '123456789'), 400, 'a BSN failing the eleven test is refused');
      assert.match(await page.locator('#logboek-error').innerText(), /elfproef/);

      // Every lookup is itself a processing, so every history has lines; the first demo
      // person whose signals a partner delivered shows the intake too.
      let text = '';
      for (let seed = 1; seed <= 60 && !/vroegsignaal ontvangen/.test(text); seed++) {
        assert.equal(await lookUp(page, demoBsn(seed)), 200);
        text = await page.locator('#logboek').innerText();
        assert.match(text, /Inzage door de betrokkene/, 'the lookup itself is in the history');
      }
      assert.match(text, /vroegsignaal ontvangen/, 'a demo person with delivered signals');
      assert.match(text, /Vroegsignalering/);
      assert.doesNotMatch(text, /\b9\d{8}\b/, 'the BSN never shows in the history');
      await assertNoHorizontalScroll(page, `logboek ${label}`);
      await expectNoViolations(page, `logboek history ${label}`);
    } finally {
      await context.close();
    }
  });
}
