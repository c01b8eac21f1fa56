// Every page of every role (issue 17): starting where each role lands after signing in,
// the crawler follows the links a person could click, one page per page type (ids and
// area codes folded), on a 320 px wide phone. Each page must answer below 500, fit the
// screen (WCAG 1.4.10: no page-level horizontal scroll), raise no CSP error in the
// console, and, the first time its page type is seen, pass axe (WCAG 2.1 A/AA).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatViolations, scan } from '../lib/axe.mjs';
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

const axeSeen = new Set();
const catalogue = new Map();

for (const who of CRAWLERS) {
  const label = who ?? 'public';
  test(`every page of ${label} fits 320 px, raises no CSP error and passes axe`, { timeout: 300_000 }, async () => {
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
        if (!axeSeen.has(type)) {
          axeSeen.add(type);
          const violations = await scan(page, { large: type === '/kaart' });
          if (violations.length) failures.push(formatViolations(`${path} (${label}, 320 px)`, violations));
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
  for (const must of ['/werk', '/signalen', '/huishoudens', '/gemeente/{GM}', '/gebied/{WK}', '/melden', '/convenant', '/programmas', '/afspraken', '/privacy/inzage', '/beheer', '/audit']) {
    assert.ok(types.some((t) => t === must || t.startsWith(`${must}?`)), `the crawl reaches ${must} (reached: ${types.sort().join(' ')})`);
  }
  console.log(`# catalogue: ${types.length} page types\n# ${types.sort().join('\n# ')}`);
});
