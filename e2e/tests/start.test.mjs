// The start page per role (issue 17): every role lands on /werk ("Mijn werk") after
// signing in, sees what needs it today, and reaches that work by clicking only. The page
// passes axe and fits a 320 px wide phone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoViolations } from '../lib/axe.mjs';
import { newPage } from '../lib/browser.mjs';
import { TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';
import { assertNoHorizontalScroll, PHONE } from '../lib/layout.mjs';
import { signIn } from '../lib/session.mjs';

const env = useAppAndBrowser();

/** The blocks each demo account's start page shows, and where its first link leads. */
const ROLES = [
  { user: 'wijkteam', needs: ['need-outreach', 'need-matches'], first: /^\/signalen$/ },
  { user: 'regisseur', needs: ['need-outreach', 'need-matches', 'need-plans'], first: /^\/signalen$/ },
  { user: 'corporatie', needs: ['need-matches', 'need-placements'], first: /^\/huishoudens$/ },
  { user: 'ggz', needs: ['need-matches', 'need-placements'], first: /^\/huishoudens$/ },
  { user: 'privacy', needs: ['need-access-requests'], first: /^\/privacy\/inzage$/ },
  { user: 'beleid', needs: ['need-commitments'], first: /^\/programmas$/ },
  { user: 'beheer', needs: ['need-commitments', 'need-api-clients'], first: /^\/programmas$/ },
];

for (const role of ROLES) {
  test(`start page: ${role.user} lands on Mijn werk and reaches the work by clicking`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page } = await newPage(env.browser, env.baseURL);
    try {
      const landed = await signIn(page, role.user);
      assert.equal(landed, '/werk', `${role.user} lands on the start page`);
      assert.match((await page.locator('h1').textContent()) ?? '', /Mijn werk/);
      for (const id of role.needs) {
        await page.locator(`#${id}`).waitFor({ state: 'visible' });
        const lead = ((await page.locator(`#${id} .start-lead`).textContent()) ?? '').trim();
        assert.ok(lead.length > 10, `${role.user}: #${id} says what is waiting (${lead})`);
      }
      const shown = await page.locator('section.start-need').evaluateAll((s) => s.map((e) => e.id));
      assert.deepEqual(shown, role.needs, `${role.user}: exactly the blocks of the role`);
      await expectNoViolations(page, `/werk as ${role.user}`);
      // The menu's first item is the start page.
      assert.equal(await page.locator('#nav-start').getAttribute('href'), '/werk');
      // Click through to the work itself.
      const [res] = await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.locator(`#${role.needs[0]} .start-link`).click(),
      ]);
      assert.equal(res?.status(), 200, `${role.user}: the first block's link opens`);
      assert.match(new URL(page.url()).pathname, role.first);
    } finally {
      await context.close();
    }
  });
}

test('start page: fits a 320 px phone and the household rows link to their work', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL, { ...PHONE, viewport: { width: 320, height: 740 }, screen: { width: 320, height: 740 } });
  try {
    await signIn(page, 'regisseur');
    await assertNoHorizontalScroll(page, '/werk at 320 px');
    const rows = page.locator('#need-outreach .start-list a');
    if ((await rows.count()) > 0) {
      const href = await rows.first().getAttribute('href');
      assert.match(href ?? '', /^\/signalen\/huishouden\//);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), rows.first().click()]);
      assert.match(new URL(page.url()).pathname, /^\/signalen\/huishouden\//);
    }
  } finally {
    await context.close();
  }
});

test('menu: one button on a phone that opens the grouped menu; an open bar on a desktop', { timeout: TEST_TIMEOUT_MS }, async () => {
  const phone = await newPage(env.browser, env.baseURL, PHONE);
  try {
    await signIn(phone.page, 'regisseur');
    const toggle = phone.page.locator('#site-menu > summary');
    assert.ok(await toggle.isVisible(), 'the Menu button shows on a phone');
    assert.ok(!(await phone.page.locator('#nav-map').isVisible()), 'the menu is closed at first');
    const header = await phone.page.locator('.site-header').boundingBox();
    assert.ok(header && header.height < 200, `the closed header is short (${header?.height} px)`);
    await toggle.click();
    assert.ok(await phone.page.locator('#nav-map').isVisible(), 'the menu opens');
    assert.deepEqual(
      await phone.page.locator('.nav-group-title').allTextContents(),
      ['Werk', 'Wijkbeeld en afspraken'],
      'the menu is grouped: work first',
    );
    await expectNoViolations(phone.page, 'open menu on a phone');
    await Promise.all([phone.page.waitForURL((u) => u.pathname === '/kaart'), phone.page.click('#nav-map')]);
  } finally {
    await phone.context.close();
  }
  const desktop = await newPage(env.browser, env.baseURL);
  try {
    await signIn(desktop.page, 'regisseur');
    assert.ok(!(await desktop.page.locator('#site-menu > summary').isVisible()), 'no Menu button on a desktop');
    assert.ok(await desktop.page.locator('#nav-signals').isVisible(), 'the work links show');
    assert.ok(await desktop.page.locator('#nav-map').isVisible(), 'the monitor links show');
    await expectNoViolations(desktop.page, 'menu on a desktop');
  } finally {
    await desktop.context.close();
  }
});

test('look: one typeface for text, headings, labels, legends, captions, buttons and the menu', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL);
  try {
    await signIn(page, 'wijkteam');
    await page.goto('/signalen', { waitUntil: 'load' });
    const fonts = await page.evaluate(() => {
      const pick = (sel) => document.querySelector(sel);
      const out = {};
      for (const sel of ['body', 'h1', 'label', 'caption', 'button', '.nav-list a', 'select', 'th']) {
        const el = pick(sel);
        if (el) out[sel] = getComputedStyle(el).fontFamily;
      }
      return out;
    });
    const families = new Set(Object.values(fonts));
    assert.equal(families.size, 1, `one font family everywhere: ${JSON.stringify(fonts)}`);
    assert.ok(![...families][0].toLowerCase().includes('times'), `not the browser's Times: ${[...families][0]}`);
    // The app's own rules win over the vendored components: numbers right-aligned.
    const align = await page.locator('#worklist td.num').first().evaluate((td) => getComputedStyle(td).textAlign);
    assert.equal(align, 'right', 'number cells are right-aligned');
    // A required field that is still empty is not shown as an error before anyone typed.
    await page.goto('/melden', { waitUntil: 'load' });
    const untouched = await page.locator('#description').evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(untouched, 'rgb(255, 255, 255)', 'the empty description box is not red');
  } finally {
    await context.close();
  }
});
