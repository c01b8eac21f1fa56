// 1. Municipality map: switching the indicator and the level re-renders the
//    map and its table (server-side, via the form's GET submit).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';

const env = useAppAndBrowser();

/** Snapshot of the map and its text-alternative table. */
async function snapshot(page) {
  return page.evaluate(() => {
    const svg = document.querySelector('svg#map');
    const areas = [...document.querySelectorAll('svg#map a.area')].map((a) => ({
      href: a.getAttribute('href'),
      label: a.getAttribute('aria-label'),
      fill: a.querySelector('use')?.getAttribute('fill') ?? null,
    }));
    const rows = [...document.querySelectorAll('#map-table tbody tr')].map((tr) => ({
      href: tr.querySelector('th a')?.getAttribute('href') ?? null,
      name: tr.querySelector('th')?.textContent.trim() ?? '',
      value: tr.querySelector('td')?.textContent.trim() ?? '',
      fill: tr.getAttribute('data-fill'),
    }));
    return {
      indicator: svg?.getAttribute('data-indicator') ?? null,
      areas,
      rows,
      legend: document.querySelectorAll('#legend li').length,
      gap: document.querySelector('#gap-30')?.textContent.trim() ?? '',
    };
  });
}

/** area href -> fill, in href order, as one comparable string. */
const fillsByArea = (s) =>
  s.areas.map((a) => `${a.href}=${a.fill}`).sort().join(' ');
/** area href -> table value, in href order, as one comparable string. */
const valuesByArea = (s) =>
  s.rows.map((r) => `${r.href}=${r.value}`).sort().join(' ');

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

test('municipality map changes with indicator and level', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL);
  try {
    await gotoExpect(page, '/gemeente/GM9901');
    await page.locator('svg#map').waitFor({ state: 'visible' });
    const before = await snapshot(page);

    assert.equal(before.areas.length, 6, 'GM9901 has 6 wijken on the map');
    assert.equal(before.rows.length, 6, 'map table has 6 rows');
    assert.ok(before.indicator, 'svg#map has data-indicator');
    assert.notEqual(before.indicator, 'population', 'default indicator is not population');
    assert.ok(before.legend > 0, 'legend has entries');
    assert.match(before.gap, /30\s?%/, '#gap-30 mentions 30%');
    assertTableMatchesMap(before);

    await page.selectOption('select#indicator', 'population');
    await Promise.all([
      page.waitForURL(/[?&]indicator=population(&|$)/),
      page.click('#show-map'),
    ]);
    await page.locator('svg#map').waitFor({ state: 'visible' });
    const after = await snapshot(page);

    assert.match(page.url(), /[?&]indicator=population(&|$)/);
    assert.equal(after.indicator, 'population', 'svg#map[data-indicator] is population');
    assert.notEqual(after.indicator, before.indicator, 'data-indicator changed');
    assert.equal(after.areas.length, 6, 'still 6 wijken');
    assert.notEqual(fillsByArea(after), fillsByArea(before), 'the fills of the map areas changed');
    assert.notEqual(valuesByArea(after), valuesByArea(before), 'the table values changed');
    assert.equal(
      await page.locator('select#indicator').inputValue(),
      'population',
      'the select keeps the chosen indicator',
    );
    assertTableMatchesMap(after);

    // Level: buurten instead of wijken.
    await page.selectOption('select#niveau', 'buurt');
    await Promise.all([page.waitForURL(/[?&]niveau=buurt(&|$)/), page.click('#show-map')]);
    await page.locator('svg#map').waitFor({ state: 'visible' });
    const buurt = await snapshot(page);
    assert.match(page.url(), /[?&]indicator=population(&|$)/, 'indicator kept when switching level');
    assert.equal(buurt.indicator, 'population');
    assert.equal(buurt.areas.length, 24, 'GM9901 has 24 buurten on the map');
    assert.ok(buurt.areas.length > after.areas.length, 'more areas at buurt level');
    assert.equal(buurt.rows.length, 24, 'map table has 24 rows at buurt level');
    assert.ok(
      buurt.areas.every((a) => /\/gebied\/BU\d{8}$/.test(a.href)),
      'every buurt area links to /gebied/BU........',
    );
    assertTableMatchesMap(buurt);
  } finally {
    await context.close();
  }
});
