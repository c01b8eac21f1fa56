// Every page of every role (issue 17): starting where each role lands after signing in,
// the crawler follows the links a person could click, one page per page type (ids and
// area codes folded), on a 320 px wide phone. Each page must answer below 500, fit the
// screen (WCAG 1.4.10: no page-level horizontal scroll), raise no CSP error in the
// console, load no script (Leefwijk works without JavaScript), and, the first time its
// page type is seen, pass axe (WCAG 2.1 A/AA) at 320 px and again laid out 1280 px wide.
//
// When every crawler has run, the results are written to docs/accessibility/axe-results.json
// (date, Chromium and axe versions, violations per page type and width): the accessibility
// statement (/toegankelijkheid) shows the committed copy (issue 20).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatViolations, scan, WCAG_TAGS } from '../lib/axe.mjs';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, useAppAndBrowser } from '../lib/fixture.mjs';
import { widthFacts, PHONE } from '../lib/layout.mjs';
import { signIn } from '../lib/session.mjs';

const env = useAppAndBrowser();

const NARROW = { ...PHONE, viewport: { width: 320, height: 740 }, screen: { width: 320, height: 740 } };

/** Who crawls: the public (no session) and every demo role of the collaboration. */
const CRAWLERS = [null, 'wijkteam', 'regisseur', 'corporatie', 'privacy', 'beleid', 'beheer'];

/** At most this many pages per crawler (the demo has fewer page types than this). */
const MAX_PAGES = 70;

/** Links that are not pages to check: downloads, the API, signing out, language switches. */
function skip(url) {
  const p = url.pathname;
  return (
    p.startsWith('/api/') ||
    p.startsWith('/assets/') ||
    p === '/uitloggen' ||
    p === '/inloggen' ||
    p.startsWith('/melden/kaart/') ||
    /\.(csv|json|geojson|svg|png|pdf|zip)$/.test(p) ||
    /\/(export|download|csv)(\/|$)/.test(p) ||
    url.searchParams.has('lang') ||
    url.searchParams.has('formaat') ||
    url.searchParams.has('format')
  );
}

/** The page type of a URL: ids, numbers, area codes and tokens folded into placeholders. */
export function pageType(url) {
  const segments = url.pathname.split('/').map((s) => {
    if (/^(GM|WK|BU|PV)\d+$/i.test(s)) return `{${s.slice(0, 2).toUpperCase()}}`;
    if (/^\d+$/.test(s)) return '{n}';
    if (/^[0-9a-f-]{16,}$/i.test(s)) return '{id}';
    if (/^[A-Za-z0-9_-]{20,}$/.test(s)) return '{token}';
    if (/\d/.test(s) && s.length > 6) return '{id}';
    return s;
  });
  const keys = [...url.searchParams.keys()].sort();
  return segments.join('/') + (keys.length ? `?${keys.join('&')}` : '');
}

/** Screen widths every page type is checked at with axe. */
const WIDTHS = [320, 1280];
const DESKTOP = { width: 1280, height: 900 };

const axeSeen = new Set();
const catalogue = new Map();
/** Per page type: the first crawler, violations per width, the rules that found them. */
const axeResults = new Map();
const crawled = new Set();

for (const who of CRAWLERS) {
  const label = who ?? 'public';
  test(`every page of ${label} fits 320 px, raises no CSP error and passes axe at 320 px and 1280 px`, { timeout: 900_000 }, async () => {
    const { context, page } = await newPage(env.browser, env.baseURL, NARROW);
    const cspErrors = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content[- ]Security[- ]Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    const failures = [];
    try {
      let start = '/';
      if (who) start = await signIn(page, who);
      else await gotoExpect(page, '/');
      const queue = [start];
      const seenTypes = new Set();
      let visited = 0;
      while (queue.length && visited < MAX_PAGES) {
        const path = queue.shift();
        const url = new URL(path, env.baseURL);
        const type = pageType(url);
        if (seenTypes.has(type)) continue;
        seenTypes.add(type);
        visited += 1;
        const before = cspErrors.length;
        const res = await page.goto(url.pathname + url.search, { waitUntil: 'load' });
        const status = res ? res.status() : 0;
        if (status >= 500 || status === 0) {
          failures.push(`${path}: HTTP ${status}`);
          continue;
        }
        if (who && new URL(page.url()).pathname === '/inloggen') {
          failures.push(`${path}: signed out while crawling`);
          break;
        }
        const f = await widthFacts(page);
        const widest = Math.max(f.scrollWidth, f.bodyScrollWidth);
        if (widest > f.innerWidth + 1) {
          failures.push(`${path}: scrolls sideways at 320 px (${widest} px): ${f.wide.join(', ')}`);
        }
        if (cspErrors.length > before) failures.push(`${path}: CSP errors: ${cspErrors.slice(before).join(' | ')}`);
        const scripts = await page.$$eval('script', (ss) => ss.length);
        if (scripts > 0) failures.push(`${path}: ${scripts} script element(s); pages must work without JavaScript`);
        if (!axeSeen.has(type)) {
          axeSeen.add(type);
          const large = type === '/kaart';
          const narrow = await scan(page, { large });
          if (narrow.length) failures.push(formatViolations(`${path} (${label}, 320 px)`, narrow));
          // The same page laid out for a desktop (1280 px wide), then back to the phone.
          await page.setViewportSize(DESKTOP);
          const wide = await scan(page, { large });
          await page.setViewportSize(NARROW.viewport);
          if (wide.length) failures.push(formatViolations(`${path} (${label}, 1280 px)`, wide));
          const rules = [...new Set([...narrow, ...wide].map((v) => v.id))].sort();
          axeResults.set(type, { checked_as: label, violations: [narrow.length, wide.length], rules });
        }
        catalogue.set(type, (catalogue.get(type) ?? new Set()).add(label));
        const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.href));
        for (const href of hrefs) {
          const next = new URL(href, page.url());
          if (next.origin !== new URL(env.baseURL).origin || skip(next)) continue;
          if (!seenTypes.has(pageType(next))) queue.push(next.pathname + next.search);
        }
      }
      assert.ok(visited >= (who ? 8 : 6), `${label}: the crawl reached only ${visited} page types`);
      crawled.add(label);
      assert.deepEqual(failures, [], `${label}: ${failures.length} page(s) failed:\n${failures.join('\n')}`);
    } finally {
      await context.close();
    }
  });
}

test('the catalogue of page types covers the product', () => {
  // The crawl must keep reaching the pages of every capability; a broken link or a menu
  // item lost makes this fail rather than silently shrinking what the checks above see.
  const types = [...catalogue.keys()];
  for (const must of ['/werk', '/signalen', '/huishoudens', '/gemeente/{GM}', '/gebied/{WK}', '/melden', '/convenant', '/programmas', '/afspraken', '/privacy/inzage', '/beheer', '/audit', '/toegankelijkheid', '/openbaar/convenant']) {
    assert.ok(types.some((t) => t === must || t.startsWith(`${must}?`)), `the crawl reaches ${must} (reached: ${types.sort().join(' ')})`);
  }
  console.log(`# catalogue: ${types.length} page types\n# ${types.sort().join('\n# ')}`);
  writeAxeResults();
});

/** The day in Amsterdam, YYYY-MM-DD. */
function today() {
  try {
    return new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Amsterdam' });
  } catch {
    return new Date().toISOString().slice(0, 10);
  }
}

/**
 * Writes docs/accessibility/axe-results.json when every crawler has run (a run limited by
 * --test-name-pattern to some crawlers leaves the committed file alone).
 */
function writeAxeResults() {
  const label = (who) => who ?? 'public';
  if (!CRAWLERS.every((who) => crawled.has(label(who)))) {
    console.log(`# axe results not written: crawled ${[...crawled].join(', ') || 'nothing'} of ${CRAWLERS.map(label).join(', ')}`);
    return;
  }
  const axePackage = fileURLToPath(new URL('../node_modules/axe-core/package.json', import.meta.url));
  const pages = [...axeResults.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([page_type, r]) => ({ page_type, ...r }));
  const results = {
    date: today(),
    chromium: env.browser.version(),
    axe: JSON.parse(readFileSync(axePackage, 'utf8')).version,
    tags: WCAG_TAGS,
    widths: WIDTHS,
    crawlers: CRAWLERS.map(label),
    page_types: pages.length,
    violations_total: pages.reduce((sum, p) => sum + p.violations.reduce((a, b) => a + b, 0), 0),
    pages,
  };
  const out = fileURLToPath(new URL('../../docs/accessibility/axe-results.json', import.meta.url));
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`# axe results: ${pages.length} page types, ${results.violations_total} violation(s), written to docs/accessibility/axe-results.json`);
}
