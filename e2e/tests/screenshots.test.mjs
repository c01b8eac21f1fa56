// Screenshots for the README (issue 17), taken by the browser suite so they stay current:
// the start pages, the municipality map, the worklist, the plan and the report form, on a
// desktop (1280 px) and a phone (390 px). They are written to docs/screenshots/; each test
// also checks that what it photographs is the page it means to show.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';
import { PHONE } from '../lib/layout.mjs';
import { signIn } from '../lib/session.mjs';

const env = useAppAndBrowser();
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots');
mkdirSync(OUT, { recursive: true });

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE_390 = { ...PHONE, viewport: { width: 390, height: 844 }, screen: { width: 390, height: 844 }, deviceScaleFactor: 1 };

/** What to photograph: who, where (a path or a link to follow from the start page), and a heading to expect. */
const SHOTS = [
  { name: 'start-wijkteam', user: 'wijkteam', path: '/werk', heading: /Mijn werk/ },
  { name: 'start-regisseur', user: 'regisseur', path: '/werk', heading: /Mijn werk/ },
  { name: 'start-corporatie', user: 'corporatie', path: '/werk', heading: /Mijn werk/ },
  { name: 'start-privacy', user: 'privacy', path: '/werk', heading: /Mijn werk/ },
  { name: 'start-beleid', user: 'beleid', path: '/werk', heading: /Mijn werk/ },
  { name: 'map-municipality', user: null, path: '/gemeente/GM9901', heading: /Wijkerveen/ },
  { name: 'worklist', user: 'wijkteam', path: '/signalen', heading: /Signalen|Werklijst/ },
  { name: 'plan', user: 'regisseur', follow: { from: '/huishoudens', link: 'a[href^="/plan/"]' }, heading: /plan/i },
  { name: 'report-form', user: null, path: '/melden?gemeente=GM9901', heading: /Melding|melden/i },
];

for (const shot of SHOTS) {
  for (const [device, options] of [
    ['desktop', DESKTOP],
    ['phone', PHONE_390],
  ]) {
    test(`screenshot: ${shot.name} (${device})`, { timeout: TEST_TIMEOUT_MS }, async () => {
      const { context, page } = await newPage(env.browser, env.baseURL, options);
      try {
        if (shot.user) await signIn(page, shot.user);
        if (shot.follow) {
          await gotoExpect(page, shot.follow.from);
          const href = await page.locator(shot.follow.link).first().getAttribute('href');
          assert.ok(href, `${shot.name}: a link ${shot.follow.link} on ${shot.follow.from}`);
          await gotoExpect(page, href);
        } else {
          await gotoExpect(page, shot.path);
        }
        assert.match((await page.locator('h1').first().textContent()) ?? '', shot.heading, `${shot.name}: the page shown`);
        const file = join(OUT, `${shot.name}-${device}.png`);
        await page.screenshot({ path: file, fullPage: false });
      } finally {
        await context.close();
      }
    });
  }
}
