// The real Netherlands beside the fictional demo: the open CBS key figures and 2022
// boundaries (data/nl) are loaded on first start. A visitor finds Utrecht among the real
// municipalities, sees its 10 wijken on a map whose colours match the table, with a
// source line naming CBS, 2022 and Kadaster; switches the indicator; opens the national
// wijk map (/kaart) and pages through its table. The fictional demo never claims CBS as
// its source. axe (WCAG 2.1 A/AA) on the new pages; no sideways scroll at 320 px; no
// console errors (CSP) on the way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoViolations } from '../lib/axe.mjs';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';
import { assertNoHorizontalScroll } from '../lib/layout.mjs';

const env = useAppAndBrowser();

/** A 320 px wide phone (WCAG 1.4.10 reflow width). */
const PHONE_320 = {
  viewport: { width: 320, height: 640 },
  screen: { width: 320, height: 640 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};

/** Number of municipalities in the CBS 2022 bundle (data/nl). */
const REAL_MUNICIPALITIES = 345;

/**
 * Collects console errors and uncaught page errors (e.g. CSP refusals, failed loads).
 * Chromium's own request for /favicon.ico is left out: the page does not ask for it and
 * the app serves none (404).
 */
function watchErrors(page) {
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = msg.location()?.url ?? '';
    if (new URL(url || 'about:blank').pathname === '/favicon.ico') return;
    errors.push(`console: ${msg.text()}${url ? ` (${url})` : ''}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  return errors;
}

/** Snapshot of a municipality map (a.area > use[fill]) and its text-alternative table. */
async function snapshot(page) {
  return page.evaluate(() => {
    const svg = document.querySelector('svg#map');
    const areas = [...document.querySelectorAll('svg#map a.area')].map((a) => {
      const use = a.querySelector('use');
      const shape = document.getElementById(`shape-${a.dataset.code}`);
      const box = use ? use.getBoundingClientRect() : null;
      return {
        href: a.getAttribute('href'),
        code: a.dataset.code,
        label: a.getAttribute('aria-label'),
        fill: use?.getAttribute('fill') ?? null,
        pathLength: shape?.getAttribute('d')?.length ?? 0,
        drawn: !!box && box.width > 1 && box.height > 1,
      };
    });
    const rows = [...document.querySelectorAll('#map-table tbody tr')].map((tr) => ({
      href: tr.querySelector('th a')?.getAttribute('href') ?? null,
      name: tr.querySelector('th')?.textContent.trim() ?? '',
      value: tr.querySelector('td')?.textContent.trim() ?? '',
      fill: tr.getAttribute('data-fill'),
    }));
    return {
      indicator: svg?.getAttribute('data-indicator') ?? null,
      title: document.querySelector('svg#map title')?.textContent.trim() ?? '',
      areas,
      rows,
      legend: document.querySelectorAll('#legend li').length,
    };
  });
}

const fillsByArea = (s) => s.areas.map((a) => `${a.href}=${a.fill}`).sort().join(' ');
const valuesByArea = (s) => s.rows.map((r) => `${r.href}=${r.value}`).sort().join(' ');

/** Every table row has the colour of its map area (data-fill == the area's fill). */
function assertTableMatchesMap(s) {
  const fillOf = new Map(s.areas.map((a) => [a.href, a.fill]));
  assert.equal(s.rows.length, s.areas.length, 'one table row per map area');
  for (const r of s.rows) {
    assert.ok(fillOf.has(r.href), `table row ${r.name} (${r.href}) has a map area`);
    assert.equal(r.fill, fillOf.get(r.href), `data-fill of table row ${r.name} equals its map fill`);
  }
  for (const a of s.areas) {
    assert.match(a.fill ?? '', /^#[0-9a-f]{6}$/i, `fill of ${a.href} is #rrggbb`);
  }
}

/** Utrecht's 10 wijken (CBS 2022): WK034401 … WK034410. */
function assertUtrechtWijken(s) {
  assert.equal(s.areas.length, 10, 'Utrecht has 10 wijken on the map');
  assert.deepEqual(
    s.areas.map((a) => a.code).sort(),
    Array.from({ length: 10 }, (_, i) => `WK0344${String(i + 1).padStart(2, '0')}`),
    'the map areas are WK034401…WK034410',
  );
  for (const a of s.areas) {
    assert.equal(a.href, `/gebied/${a.code}`, `${a.code} links to its area page`);
    assert.ok(a.pathLength > 20, `${a.code} has a boundary path`);
    assert.ok(a.drawn, `${a.code} is drawn with a visible size`);
    assert.match(a.label ?? '', /^Wijk \d\d .+: .*[\p{L}\p{N}]/u, `${a.code} aria-label "name: value"`);
  }
}

test('a visitor finds Utrecht among the real municipalities and sees its wijken on the map', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL);
  const errors = watchErrors(page);
  try {
    await gotoExpect(page, '/');

    // The real municipalities and the fictional demo are two separate sections.
    const real = page.locator('section', { has: page.locator('#gm-title') });
    const demo = page.locator('section', { has: page.locator('#demo-title') });
    const realNames = await real.locator('tbody th a').allTextContents();
    assert.equal(realNames.length, REAL_MUNICIPALITIES, 'the real table lists every CBS municipality of 2022');
    assert.deepEqual(realNames.filter((n) => /fictief/.test(n)), [], 'no fictional municipality among the real ones');
    const demoNames = await demo.locator('tbody th a').allTextContents();
    assert.ok(demoNames.length >= 1, 'the demo section lists its municipalities');
    assert.ok(demoNames.every((n) => /\(fictief\)$/.test(n)), `demo municipalities are marked (fictief): ${demoNames}`);
    assert.match(await page.locator('#demo-source').textContent(), /^Bron: fictieve demogegevens/);
    assert.equal(await demo.getByRole('link', { name: 'Utrecht', exact: true }).count(), 0, 'Utrecht is not in the demo');

    // Follow Utrecht's link in the real table.
    const utrecht = real.getByRole('link', { name: 'Utrecht', exact: true });
    assert.equal(await utrecht.count(), 1, 'Utrecht appears once in the real table');
    await Promise.all([page.waitForURL((u) => u.pathname === '/gemeente/GM0344'), utrecht.click()]);
    assert.match(await page.locator('h1').textContent(), /^Utrecht\b/);
    await page.locator('svg#map').waitFor({ state: 'visible' });

    const before = await snapshot(page);
    assertUtrechtWijken(before);
    assertTableMatchesMap(before);
    assert.ok(before.indicator, 'svg#map has data-indicator');
    assert.ok(before.legend > 0, 'the legend has entries');
    assert.ok(
      new Set(before.areas.map((a) => a.fill)).size > 1,
      `the wijken are not all one colour (${before.indicator})`,
    );

    const mapSource = (await page.locator('#map-source').textContent()).trim();
    assert.match(mapSource, /^Bron: CBS/, '#map-source starts with "Bron: CBS"');
    assert.match(mapSource, /2022/, '#map-source names the year 2022');
    assert.match(mapSource, /Kadaster/, '#map-source names Kadaster (boundaries)');
    const figuresSource = (await page.locator('#figures-source').textContent()).trim();
    assert.match(figuresSource, /^Bron: CBS/, '#figures-source names CBS');
    assert.doesNotMatch(await page.locator('main').textContent(), /fictie/i, 'nothing on Utrecht is fictional');

    // Switch the indicator to the number of inhabitants and show the map.
    const next = before.indicator === 'population' ? 'avg_woz' : 'population';
    await page.selectOption('select#indicator', next);
    await Promise.all([
      page.waitForURL(new RegExp(`[?&]indicator=${next}(&|$)`)),
      page.click('#show-map'),
    ]);
    assert.equal(new URL(page.url()).pathname, '/gemeente/GM0344', 'still on Utrecht');
    await page.locator('svg#map').waitFor({ state: 'visible' });
    const after = await snapshot(page);

    assert.equal(after.indicator, next, `svg#map[data-indicator] is ${next}`);
    assert.notEqual(after.indicator, before.indicator, 'data-indicator changed');
    assert.equal(await page.locator('select#indicator').inputValue(), next, 'the select keeps the choice');
    assertUtrechtWijken(after);
    assertTableMatchesMap(after);
    assert.notEqual(fillsByArea(after), fillsByArea(before), 'the fills of the map areas changed');
    assert.notEqual(valuesByArea(after), valuesByArea(before), 'the table values changed');
    assert.ok(
      after.rows.every((r) => /\d/.test(r.value)),
      `every wijk of Utrecht has a ${next} value: ${after.rows.map((r) => r.value).join(', ')}`,
    );
    assert.match((await page.locator('#map-source').textContent()).trim(), /^Bron: CBS.*2022.*Kadaster/);

    assert.deepEqual(errors, [], 'no console errors (e.g. CSP) on / and /gemeente/GM0344');
  } finally {
    await context.close();
  }
});

test('axe: Utrecht /gemeente/GM0344 (default and another indicator)', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL);
  try {
    await gotoExpect(page, '/gemeente/GM0344');
    await page.locator('svg#map a.area').first().waitFor({ state: 'visible' });
    await expectNoViolations(page, 'Utrecht (/gemeente/GM0344)');
    await gotoExpect(page, '/gemeente/GM0344?indicator=population&niveau=wijk&year=2022');
    await expectNoViolations(page, 'Utrecht, Inwoners (/gemeente/GM0344?indicator=population)');
  } finally {
    await context.close();
  }
});

test('the national wijk map draws more than 3,000 wijken and pages its table', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL);
  const errors = watchErrors(page);
  try {
    await gotoExpect(page, '/');
    await Promise.all([page.waitForURL((u) => u.pathname === '/kaart'), page.click('#nav-map')]);
    await page.locator('svg#map.map-national').waitFor({ state: 'visible' });

    const drawn = await page.locator('svg#map.map-national a.area > path').count();
    assert.ok(drawn > 3000, `more than 3,000 wijken drawn (got ${drawn})`);
    const codes = await page
      .locator('svg#map.map-national a.area')
      .evaluateAll((as) => as.map((a) => a.dataset.code ?? ''));
    assert.ok(codes.every((c) => /^WK/.test(c)), 'every area on the national wijk map is a wijk');
    assert.ok(!codes.some((c) => /^WK99/.test(c)), 'no fictional demo wijk (WK99…) on the national map');
    assert.ok(codes.includes('WK034403'), 'Utrecht-Overvecht is on the map');

    const source = (await page.locator('#map-source').textContent()).trim();
    assert.match(source, /^Bron: CBS.*2022/, '#map-source names CBS and 2022');
    assert.match(source, /Kadaster/, '#map-source names Kadaster');

    // The table is paged, 100 rows a page.
    const rows1 = await page.locator('#map-table tbody th a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.equal(rows1.length, 100, '100 rows on page 1');
    const pager = page.locator('nav.pager');
    assert.match(await pager.textContent(), /Pagina 1 van \d+/);
    const nextLink = pager.locator('a[rel="next"]');
    await Promise.all([page.waitForURL(/[?&]pagina=2(&|$)/), nextLink.click()]);
    assert.equal(new URL(page.url()).pathname, '/kaart');
    assert.match(await page.locator('nav.pager').textContent(), /Pagina 2 van \d+/);
    const rows2 = await page.locator('#map-table tbody th a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.equal(rows2.length, 100, '100 rows on page 2');
    assert.deepEqual(rows2.filter((h) => rows1.includes(h)), [], 'page 2 shows other wijken than page 1');
    assert.match(await page.locator('#map-table caption').textContent(), /101/, 'the caption says rows from 101');
    assert.equal(await page.locator('nav.pager a[rel="prev"]').count(), 1, 'page 2 links back');
    assert.ok(
      (await page.locator('svg#map.map-national a.area > path').count()) > 3000,
      'the map is still drawn in full on page 2',
    );

    assert.deepEqual(errors, [], 'no console errors (e.g. CSP) on /kaart');
  } finally {
    await context.close();
  }
});

for (const path of ['/kaart', '/kaart?indicator=pressure_index&niveau=gemeente&year=2022']) {
  test(`axe: national map ${path}`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page } = await newPage(env.browser, env.baseURL);
    try {
      await gotoExpect(page, path);
      await page.locator('svg#map.map-national a.area').first().waitFor({ state: 'visible' });
      // Thousands of linked areas: the fast axe mode (same rules, violations in full).
      await expectNoViolations(page, `national map (${path})`, { large: true });
    } finally {
      await context.close();
    }
  });
}

for (const path of ['/', '/gemeente/GM0344', '/kaart']) {
  test(`phone 320 px: ${path} has no horizontal scroll`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page } = await newPage(env.browser, env.baseURL, PHONE_320);
    try {
      await gotoExpect(page, path);
      assert.equal(await page.evaluate(() => window.innerWidth), 320, 'viewport is 320 px wide');
      await assertNoHorizontalScroll(page, `${path} at 320 px`);
    } finally {
      await context.close();
    }
  });
}

test('the fictional demo municipality never names CBS as its source', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL);
  try {
    for (const path of ['/gemeente/GM9901', '/gemeente/GM9901?indicator=population&niveau=buurt']) {
      await gotoExpect(page, path);
      const h1 = (await page.locator('h1').textContent()).trim();
      assert.match(h1, /\(fictief\)/, `${path}: the heading marks the municipality fictional`);
      const body = await page.locator('body').innerText();
      assert.doesNotMatch(body, /Bron: CBS/, `${path} does not say "Bron: CBS"`);
      assert.match(
        (await page.locator('#map-source').textContent()).trim(),
        /^Bron: fictieve demogegevens/,
        `${path}: the map source says fictional`,
      );
      assert.match(
        (await page.locator('#figures-source').textContent()).trim(),
        /^Bron: fictieve demogegevens/,
        `${path}: the key-figure source says fictional`,
      );
    }
  } finally {
    await context.close();
  }
});
