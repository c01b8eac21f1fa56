// 2. Keyboard focus on a map area shows its label.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';

const env = useAppAndBrowser();
const MAX_TABS = 80;

test('tabbing onto a map area shows its name and value', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page } = await newPage(env.browser, env.baseURL);
  try {
    await gotoExpect(page, '/gemeente/GM9901');
    const firstArea = page.locator('svg#map a.area').first();
    await firstArea.waitFor({ state: 'visible' });

    // Labels are hidden until hover/focus.
    const hiddenBefore = await firstArea
      .locator('.area-label')
      .evaluate((el) => getComputedStyle(el).visibility);
    assert.equal(hiddenBefore, 'hidden', 'area label is hidden before focus');

    let focused = null;
    for (let i = 0; i < MAX_TABS; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || !el.matches('svg#map a.area')) return null;
        const label = el.querySelector('.area-label');
        return {
          ariaLabel: el.getAttribute('aria-label'),
          href: el.getAttribute('href'),
          labelText: label?.textContent.trim() ?? '',
          visibility: label ? getComputedStyle(label).visibility : null,
          stroke: getComputedStyle(el.querySelector('use')).strokeWidth,
        };
      });
      if (focused) break;
    }
    assert.ok(focused, `an a.area in svg#map got keyboard focus within ${MAX_TABS} Tab presses`);
    // "Name: value", e.g. "Centrum: -0,50".
    assert.match(focused.ariaLabel ?? '', /^\S[^:]*: .*\d/, 'aria-label has a name and a value');
    const [name] = focused.ariaLabel.split(':');
    assert.ok(name.trim().length > 1, 'aria-label starts with the area name');
    assert.equal(focused.visibility, 'visible', '.area-label is visible while the area has focus');
    assert.ok(focused.labelText.includes(name.trim()), '.area-label shows the area name');
    // Shapes are clipped to themselves: a 10px stroke shows as a 5px outline inside the area.
    assert.equal(focused.stroke, '10px', 'focused area is outlined (stroke-width 10, 5 visible inside)');

    // Next Tab: the previous label hides again, the next area shows its label.
    await page.keyboard.press('Tab');
    const prevVisibility = await page
      .locator(`svg#map a.area[href="${focused.href}"] .area-label`)
      .evaluate((el) => getComputedStyle(el).visibility);
    assert.equal(prevVisibility, 'hidden', 'label hides again when focus moves on');

    // Mouse hover shows the label as well.
    await page.mouse.move(0, 0);
    const last = page.locator('svg#map a.area').last();
    await last.scrollIntoViewIfNeeded();
    // A point that really hits this area (polygons need not be convex).
    const point = await last.evaluate((a) => {
      const r = a.getBoundingClientRect();
      for (let fy = 0.5; fy < 1; fy += 0.05) {
        for (const sy of [1, -1]) {
          for (let fx = 0.5; fx < 1; fx += 0.05) {
            for (const sx of [1, -1]) {
              const x = r.left + r.width * (0.5 + sx * (fx - 0.5));
              const y = r.top + r.height * (0.5 + sy * (fy - 0.5));
              const hit = document.elementFromPoint(x, y);
              if (hit && a.contains(hit)) return { x, y };
            }
          }
        }
      }
      return null;
    });
    assert.ok(point, 'found a point inside the last map area');
    await page.mouse.move(point.x, point.y);
    const hoverVisibility = await last
      .locator('.area-label')
      .evaluate((el) => getComputedStyle(el).visibility);
    assert.equal(hoverVisibility, 'visible', '.area-label is visible on hover');
  } finally {
    await context.close();
  }
});

/**
 * For every map area: is its label (shown on hover/focus) or its focus outline
 * painted over by areas that come later in the SVG (SVG has no z-index: later
 * siblings paint on top)? Pure geometry in SVG user units, so deterministic.
 */
async function coveredAreas(page) {
  return page.evaluate(() => {
    const areas = [...document.querySelectorAll('svg#map a.area')];
    const svg = document.querySelector('svg#map');
    const pt = (x, y) => {
      const p = svg.createSVGPoint();
      p.x = x;
      p.y = y;
      return p;
    };
    const out = [];
    // The geometry of each area lives in <defs> as path#shape-CODE; the map draws it
    // with <use>, clipped to the shape itself, so its outline lies inside it.
    const shapeOf = (a) => document.getElementById(`shape-${a.dataset.code}`);
    areas.forEach((a, i) => {
      const later = areas.slice(i + 1).map(shapeOf);
      const label = a.querySelector('.area-label');
      const name = a.getAttribute('aria-label');
      // Label: sample a 9x3 grid over the text box.
      const prevVis = label.style.visibility;
      label.style.visibility = 'visible';
      const bb = label.getBBox();
      label.style.visibility = prevVis;
      let labelCovered = 0;
      let samples = 0;
      for (let gx = 0; gx < 9; gx++) {
        for (let gy = 0; gy < 3; gy++) {
          const p = pt(bb.x + (bb.width * (gx + 0.5)) / 9, bb.y + (bb.height * (gy + 0.5)) / 3);
          samples++;
          if (later.some((path) => path.isPointInFill(p))) labelCovered++;
        }
      }
      // Outline: the visible focus outline is the inner band of the stroke. Sample points
      // 2 units inside the area's own boundary; none may lie in a later area's fill.
      const own = shapeOf(a);
      const len = own.getTotalLength();
      let edgeCovered = 0;
      let edgeSamples = 0;
      for (let k = 0; k < 60; k++) {
        const l = (len * (k + 0.5)) / 60;
        const q = own.getPointAtLength(l);
        const q2 = own.getPointAtLength(Math.min(len, l + 0.5));
        const q1 = own.getPointAtLength(Math.max(0, l - 0.5));
        const tx = q2.x - q1.x;
        const ty = q2.y - q1.y;
        const tl = Math.hypot(tx, ty) || 1;
        const candidates = [pt(q.x - (ty / tl) * 2, q.y + (tx / tl) * 2), pt(q.x + (ty / tl) * 2, q.y - (tx / tl) * 2)];
        const inside = candidates.find((c) => own.isPointInFill(c));
        if (!inside) continue; // a corner: no well-defined inside
        edgeSamples++;
        if (later.some((path) => path.isPointInFill(inside))) edgeCovered++;
      }
      out.push({
        name,
        labelCoveredPct: Math.round((100 * labelCovered) / samples),
        outlineCoveredPct: edgeSamples ? Math.round((100 * edgeCovered) / edgeSamples) : 0,
      });
    });
    return out;
  });
}

const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
for (const [label, path, ctx] of [
  ['desktop, wijken', '/gemeente/GM9901', {}],
  ['desktop, buurten', '/gemeente/GM9901?niveau=buurt', {}],
  ['phone, buurten', '/gemeente/GM9901?niveau=buurt', PHONE],
]) {
  test(`focused map area is not painted over by later areas (${label})`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page } = await newPage(env.browser, env.baseURL, ctx);
    try {
      await gotoExpect(page, path);
      await page.locator('svg#map a.area').first().waitFor({ state: 'visible' });
      const result = await coveredAreas(page);
      assert.ok(result.length >= 6, 'map has areas');
      const bad = result.filter((r) => r.labelCoveredPct > 0 || r.outlineCoveredPct > 0);
      assert.deepEqual(
        bad.map((r) => `${r.name}: label ${r.labelCoveredPct}% covered, focus outline ${r.outlineCoveredPct}% covered`),
        [],
        `${path} (${label}): when these areas are hovered/focused, later <a class="area"> siblings paint over ` +
          'their .area-label text and/or their focus outline',
      );
    } finally {
      await context.close();
    }
  });
}

for (const path of ['/gemeente/GM9901?niveau=buurt', '/gemeente/GM9901?niveau=buurt&lang=en']) {
  test(`every map area's accessible name states its value in digits or words: ${path}`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page } = await newPage(env.browser, env.baseURL);
    try {
      await gotoExpect(page, path);
      const labels = await page
        .locator('svg#map a.area')
        .evaluateAll((as) => as.map((a) => a.getAttribute('aria-label') ?? ''));
      assert.equal(labels.length, 24);
      // "Name: value": the value must be speakable, e.g. "12,3%" or "geen gegevens",
      // not a bare "·" (which screen readers skip or read as "middle dot").
      const unspeakable = labels.filter((l) => {
        const value = l.includes(': ') ? l.slice(l.lastIndexOf(': ') + 2) : '';
        return !/[\p{L}\p{N}]/u.test(value);
      });
      assert.deepEqual(unspeakable, [], 'map areas whose aria-label has no speakable value');
    } finally {
      await context.close();
    }
  });
}
