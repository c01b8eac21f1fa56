// The report form's base map (issue 17): with `[residents.reports] base_map_tiles` set
// (PDOK's BRT achtergrondkaart in production), the click-map shows tiles of the Dutch
// tiling scheme under the buurten. Here the tiles come from a local fixture server the
// test starts: every tile request is answered with a small PNG and counted. The tiles
// load under a strict CSP (no console errors), lie exactly under the map image, and a
// click still picks the spot, without JavaScript.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import { expectNoViolations } from '../lib/axe.mjs';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';
import { assertNoHorizontalScroll, PHONE } from '../lib/layout.mjs';

/** A 1×1 PNG: what every fixture tile looks like. */
const TILE = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const requested = [];
const tiles = createServer((req, res) => {
  const m = /^\/tiles\/(\d+)\/(-?\d+)\/(-?\d+)\.png$/.exec(req.url ?? '');
  if (!m) {
    res.writeHead(404).end();
    return;
  }
  requested.push(m.slice(1).join('/'));
  res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(TILE);
});
await new Promise((resolve) => tiles.listen(0, '127.0.0.1', resolve));
const tilePort = tiles.address().port;
after(() => new Promise((resolve) => tiles.close(resolve)));

const env = useAppAndBrowser({
  config: `[residents.reports]
base_map_tiles = "http://127.0.0.1:${tilePort}/tiles/{z}/{x}/{y}.png"
base_map_attribution = "Kaart: testtegels van de proef"
`,
});

test('base map: tiles of the configured source lie under the click-map, and a click still picks the spot', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL, PHONE);
  const cspErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content[- ]Security[- ]Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  try {
    await gotoExpect(page, '/melden?gemeente=GM9901');
    const images = await page.locator('svg#map-base image').count();
    assert.ok(images > 0, 'the base map has tiles');
    await page.waitForFunction((n) => performance.getEntriesByType('resource').filter((r) => r.name.includes('/tiles/')).length >= n, images);
    assert.ok(requested.length >= images, `every tile was fetched from the tile server (${requested.length} of ${images})`);
    assert.deepEqual(cspErrors, [], 'the CSP lets the tile server through and nothing else is blocked');
    assert.match(await page.locator('#map-attribution').textContent(), /testtegels/);

    // The tiles lie in the map image's own pixels (inside its 1 px border).
    const map = await page.locator('#map').boundingBox();
    const base = await page.locator('#map-base').boundingBox();
    assert.ok(Math.abs(base.x - (map.x + 1)) < 1 && Math.abs(base.y - (map.y + 1)) < 1, `aligned: map ${JSON.stringify(map)}, base ${JSON.stringify(base)}`);
    assert.ok(Math.abs(base.width - (map.width - 2)) < 1, 'same width');
    await assertNoHorizontalScroll(page, '/melden with a base map');
    await expectNoViolations(page, '/melden with a base map (phone)');

    await page.getByLabel('Beschrijving').fill('Kapotte lantaarnpaal bij het plein (test)');
    await page.locator('#map').click({ position: { x: Math.round(map.width * 0.4), y: Math.round(map.height * 0.5) } });
    await page.locator('#map-picked').waitFor();
    assert.match(await page.locator('#map-picked').textContent(), /Gekozen plek in buurt \p{L}/u);
    assert.ok((await page.locator('svg#map-base image').count()) > 0, 'the base map stays after the click');
  } finally {
    await context.close();
  }
});
