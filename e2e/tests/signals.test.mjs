// 8. Early signalling: a partner uploads a CSV by hand (a bad file is refused as a whole
// with line and field; a good file is stored), the neighbourhood team sees the
// households on its worklist with the right deadlines, records a contact attempt and an
// outcome, the partner's API client reads back only picked_up / not_picked_up / pending,
// a ggz professional is refused by the covenant, and axe finds nothing on the pages.
//
// The test uploads its own households (house numbers 901–903 at a postcode the demo does
// not use), so it does not depend on the demo's fictional signals, which are there too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoViolations } from '../lib/axe.mjs';
import { newPage } from '../lib/browser.mjs';
import { gotoExpect, TEST_TIMEOUT_MS, useAppAndBrowser } from '../lib/fixture.mjs';
import { assertNoHorizontalScroll, PHONE } from '../lib/layout.mjs';
import { signIn } from '../lib/session.mjs';

const env = useAppAndBrowser();

const isPost = (path) => (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === path;
const isPostMatching = (re) => (r) => r.request().method() === 'POST' && re.test(new URL(r.url()).pathname);

/** Today in the Netherlands, YYYY-MM-DD (the server counts deadlines from it). */
function todayNl() {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam' }).format(new Date());
}

function daysBefore(iso, n) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
}

/** A fictional BSN that passes the elfproef, from a seed (9xxxxxxxx: not issued to people). */
function fictionalBsn(seed) {
  for (let n = 990_000_000 + seed * 7_919; ; n++) {
    const d = String(n).padStart(9, '0').split('').map(Number);
    const sum = d.slice(0, 8).reduce((s, x, i) => s + (9 - i) * x, 0) - d[8];
    if (sum % 11 === 0) return String(n);
  }
}

/** A number that fails the elfproef. */
function badBsn(seed) {
  const good = Number(fictionalBsn(seed));
  return String(good + 1);
}

// Our households: postcode 9119 ZX does not occur in the demo; buurten of wijk WK990101.
const POSTCODE = '9119 ZX';
const HOUSEHOLDS = [
  { number: 901, buurt: 'BU99010101', kind: 'rent_arrears', cents: 125000, crisis: true, ref: 'E2E-CRISIS' },
  { number: 902, buurt: 'BU99010102', kind: 'rent_arrears', cents: 48000, crisis: false, ref: 'E2E-HUUR-2' },
  { number: 903, buurt: 'BU99010103', kind: 'rent_arrears', cents: 73050, crisis: false, ref: 'E2E-HUUR-3' },
];
const HEADER =
  'kind;bsn;postcode;house_number;buurt_code;arrears_cents;arrears_since;crisis;' +
  'reminder_sent;personal_contact_attempted;debt_help_pointed_to;no_objection;reference';

function row(h, i, { bsn = fictionalBsn(100 + i), cents = String(h.cents) } = {}) {
  const since = daysBefore(todayNl(), 60);
  return [h.kind, bsn, POSTCODE, h.number, h.buurt, cents, since, h.crisis, 'true', 'true', 'true', 'true', h.ref].join(';');
}

const GOOD_CSV = [HEADER, ...HOUSEHOLDS.map((h, i) => row(h, i))].join('\n') + '\n';
const BAD_BSN = badBsn(7);
// Line 2 is fine; line 3 has a BSN failing the elfproef and a negative amount.
const BAD_CSV =
  [
    HEADER,
    row({ ...HOUSEHOLDS[1], ref: 'E2E-BAD-1' }, 1),
    row({ ...HOUSEHOLDS[2], ref: 'E2E-BAD-2' }, 2, { bsn: BAD_BSN, cents: '-4711' }),
  ].join('\n') + '\n';

/** Shared between the tests of this file (they run in order). */
const state = { batchId: '', crisisCaseId: '' };

async function withUser(username, fn, options = {}) {
  const { context, page } = await newPage(env.browser, env.baseURL, options);
  try {
    await signIn(page, username);
    return await fn(page);
  } finally {
    await context.close();
  }
}

/** Uploads `csv` on /signalen/aanleveren; resolves with the HTTP status of the POST. */
async function upload(page, csv, key = '') {
  await gotoExpect(page, '/signalen/aanleveren');
  await page.setInputFiles('#upload-file', { name: 'signalen.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  if (key) await page.fill('#upload-key', key);
  const [res] = await Promise.all([
    page.waitForResponse(isPost('/signalen/aanleveren')),
    page.click('#upload-form button[type="submit"]'),
  ]);
  await page.waitForLoadState('load');
  return res.status();
}

/** The partner API client's feedback on all its signals. */
async function feedback() {
  assert.ok(env.server.apiBearer, 'the server printed the demo API client credential at start');
  const res = await fetch(`${env.baseURL}/api/v1/signal-feedback`, {
    headers: { authorization: `Bearer ${env.server.apiBearer}`, accept: 'application/json' },
  });
  assert.equal(res.status, 200, `GET /api/v1/signal-feedback: HTTP ${res.status}`);
  return res.json();
}

/** Rows of the worklist table as data. */
async function worklistRows(page) {
  return page.$$eval('#worklist tbody tr.case-row', (trs) =>
    trs.map((tr) => ({
      caseId: tr.dataset.caseId,
      daysLeft: Number(tr.dataset.daysLeft),
      crisis: tr.dataset.crisis === 'true',
      opened: tr.dataset.opened,
      due: tr.querySelector('td.deadline time')?.getAttribute('datetime') ?? '',
      overdue: tr.classList.contains('is-overdue'),
      priority: Number(tr.querySelector('td.num')?.textContent?.trim() ?? '0'),
      text: tr.textContent.replace(/\s+/g, ' ').trim(),
    })),
  );
}

// ---------------------------------------------------------------------------------------

test('signals: partner upload — a bad file is refused with line and field, nothing is stored; a good file is stored', { timeout: TEST_TIMEOUT_MS }, async () => {
  const before = await feedback();
  await withUser('corporatie', async (page) => {
    // The nav leads a partner to the upload page.
    assert.equal(await page.locator('nav a[href="/signalen/aanleveren"]').count(), 1, 'nav link to the upload page');

    const status = await upload(page, BAD_CSV);
    assert.equal(status, 422, 'a rejected file answers 422');
    await page.locator('#upload-rejected').waitFor({ state: 'visible' });
    const problems = await page.$$eval('#upload-errors tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())),
    );
    const lineField = problems.map(([line, field]) => `${line}:${field}`);
    assert.ok(lineField.includes('3:bsn'), `line 3 field bsn is listed (got ${lineField.join(', ')})`);
    assert.ok(lineField.includes('3:arrears_cents'), `line 3 field arrears_cents is listed (got ${lineField.join(', ')})`);
    assert.ok(problems.every(([line]) => line === '3'), 'only line 3 has problems');
    const html = await page.content();
    assert.ok(!html.includes(BAD_BSN), 'the rejected BSN is not echoed');
    assert.ok(!html.includes('-4711'), 'the rejected amount is not echoed');
    assert.equal(await page.locator('#upload-result').count(), 0, 'no success report');

    const good = await upload(page, GOOD_CSV, `e2e-${Date.now()}`);
    assert.equal(good, 200, 'a good file is stored');
    await page.locator('#upload-result').waitFor({ state: 'visible' });
    assert.equal((await page.locator('#rows-stored').textContent()).trim(), '3', 'three rows stored');
    assert.equal((await page.locator('#cases-opened').textContent()).trim(), '3', 'three households, three cases');
    state.batchId = (await page.locator('#batch-id').textContent()).trim();
    assert.match(state.batchId, /^[0-9a-f-]{36}$/, 'the report names the batch');
  });
  const after = await feedback();
  assert.ok(!after.some((f) => /^E2E-BAD-/.test(f.reference ?? '')), 'no row of the rejected file was stored');
  assert.equal(after.length, before.length + 3, 'only the three rows of the good file were added');
});

test('signals: a ggz professional may not deliver signals (covenant, 403 naming the rule)', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withUser('ggz', async (page) => {
    const status = await upload(page, GOOD_CSV.replaceAll('E2E-', 'GGZ-'));
    assert.equal(status, 403, 'the gate refuses');
    const refusal = (await page.locator('#upload-refused').textContent()).replace(/\s+/g, ' ');
    assert.match(refusal, /convenant/i, 'the refusal names the covenant');
    assert.match(refusal, /[Rr]ule|denied by/, `the refusal names the rule (got "${refusal}")`);
  });
  const after = await feedback();
  assert.ok(!after.some((f) => /^GGZ-/.test(f.reference ?? '')), 'nothing of the refused file was stored');
});

test('signals: the team sees the crisis household first with 3 working days, records an attempt and an outcome', { timeout: TEST_TIMEOUT_MS }, async () => {
  assert.ok(state.batchId, 'the upload test ran first');
  await withUser('wijkteam', async (page) => {
    assert.equal(await page.locator('nav a[href="/signalen"]').count(), 1, 'nav link to the worklist');
    await gotoExpect(page, '/signalen');
    const rows = await worklistRows(page);
    assert.ok(rows.length > 0, 'the worklist has rows');
    const today = todayNl();

    // Our households: opened today in buurten BU99010101-03; find them by their address.
    const ours = {};
    for (const r of rows.filter((r) => r.opened === today && /BU9901010[123]/.test(r.text))) {
      await gotoExpect(page, `/signalen/huishouden/${r.caseId}`);
      const address = (await page.locator('#address').textContent()).replace(/\s+/g, ' ');
      const h = HOUSEHOLDS.find((h) => address.includes('9119') && address.includes(` ${h.number}`));
      if (h) ours[h.ref] = r;
      if (Object.keys(ours).length === 3) break;
    }
    assert.deepEqual(Object.keys(ours).sort(), ['E2E-CRISIS', 'E2E-HUUR-2', 'E2E-HUUR-3'], 'all three households are on the worklist');
    const crisis = ours['E2E-CRISIS'];
    assert.ok(crisis.crisis, 'the crisis household is marked crisis');
    assert.equal(crisis.daysLeft, 3, 'crisis: deadline 3 working days out');
    assert.match(crisis.text, /nog 3 werkdagen/, 'the deadline is said in words');
    for (const ref of ['E2E-HUUR-2', 'E2E-HUUR-3']) {
      assert.equal(ours[ref].daysLeft, 10, `${ref}: deadline 10 working days out`);
      assert.ok(!ours[ref].crisis, `${ref}: no crisis mark`);
    }
    // Sorted by deadline, then priority: only cases due earlier (or overdue) come before it.
    const index = rows.findIndex((r) => r.caseId === crisis.caseId);
    for (const r of rows.slice(0, index)) {
      assert.ok(r.due <= crisis.due, `row above the crisis household is due no later (${r.due} <= ${crisis.due})`);
    }
    assert.ok(index < rows.findIndex((r) => r.caseId === ours['E2E-HUUR-2'].caseId), 'crisis before the 10-day households');
    assert.ok(index < rows.findIndex((r) => r.caseId === ours['E2E-HUUR-3'].caseId), 'crisis before the 10-day households');
    state.crisisCaseId = crisis.caseId;

    // The household page: address, the signal with its amount in euros.
    await gotoExpect(page, '/signalen');
    await Promise.all([
      page.waitForURL((u) => u.pathname === `/signalen/huishouden/${crisis.caseId}`, { waitUntil: 'load' }),
      page.click(`#worklist a[href="/signalen/huishouden/${crisis.caseId}"]`),
    ]);
    assert.match(await page.locator('#address').textContent(), /9119 ZX 901/, 'the address is shown');
    const signals = (await page.locator('#signals').textContent()).replace(/\s+/g, ' ');
    assert.match(signals, /Huurachterstand/, 'kind in Dutch');
    assert.match(signals, /€ 1\.250,00/, 'amount in euros, Dutch style');
    assert.match(signals, /Woonstichting Veenland/, 'the partner');
    assert.equal(await page.locator('#attempt-date').inputValue(), today, 'the attempt date defaults to today');

    // A contact attempt: phone, afternoon, reached.
    await page.selectOption('#attempt-channel', 'phone');
    await page.selectOption('#attempt-part', 'afternoon');
    await page.check('#attempt-reached-yes');
    const [attemptRes] = await Promise.all([
      page.waitForResponse(isPostMatching(/\/poging$/)),
      page.click('#attempt-form button[type="submit"]'),
    ]);
    assert.equal(attemptRes.status(), 303, 'the attempt post redirects back');
    await page.locator('#done-message').waitFor({ state: 'visible' });
    const attempts = await page.$$eval('#attempts tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())),
    );
    assert.equal(attempts.length, 1, 'one attempt in the history');
    const [on, channel, part, reached] = attempts[0];
    assert.ok(on.length > 0, 'the date of the attempt');
    assert.deepEqual([channel, part, reached], ['telefoon', 'middag', 'ja'], 'channel, part of day and reached');
    assert.doesNotMatch(await page.locator('#deadline').textContent(), /Te laat/, 'not overdue');

    // The outcome: help accepted.
    await page.selectOption('#outcome', 'help_accepted_financial');
    const [outcomeRes] = await Promise.all([
      page.waitForResponse(isPostMatching(/\/uitkomst$/)),
      page.click('#outcome-form button[type="submit"]'),
    ]);
    assert.equal(outcomeRes.status(), 303, 'the outcome post redirects back');
    await page.locator('#done-message').waitFor({ state: 'visible' });
    assert.match(await page.locator('#events').textContent(), /Hulp geaccepteerd \(financieel\)/, 'outcome in the history');
    assert.match(await page.locator('#case-status').textContent(), /afgesloten/, 'the case is closed');
    assert.equal(await page.locator('#outcome-form').count(), 0, 'no outcome form on a closed case');

    // Closed cases leave the worklist unless asked for.
    await gotoExpect(page, '/signalen');
    assert.equal(await page.locator(`tr[data-case-id="${crisis.caseId}"]`).count(), 0, 'closed case not on the open list');
    await gotoExpect(page, '/signalen?gesloten=1');
    assert.match(
      await page.locator(`tr[data-case-id="${crisis.caseId}"]`).textContent(),
      /afgesloten: Hulp geaccepteerd/,
      'closed case with its outcome when closed cases are shown',
    );

    // A form post without the session's CSRF token is refused.
    const forged = await page.request.post(`/signalen/huishouden/${ours['E2E-HUUR-2'].caseId}/poging`, {
      form: { csrf: 'forged', attempted_on: today, channel: 'letter', part_of_day: 'morning', reached: 'nee' },
      maxRedirects: 0,
    });
    assert.equal(forged.status(), 403, 'CSRF check');
    // A bad input answers 400 with the message.
    const bad = await page.request.post(`/signalen/huishouden/${ours['E2E-HUUR-2'].caseId}/poging`, {
      form: { csrf: await page.locator('input[name="csrf"]').first().inputValue(), attempted_on: today, channel: 'pigeon', part_of_day: 'morning', reached: 'nee' },
      maxRedirects: 0,
    });
    assert.equal(bad.status(), 400, 'unknown channel is a 400');
    assert.match(await bad.text(), /channel/, 'the 400 page names the field');
  });
});

test('signals: the partner reads back only picked_up / not_picked_up / pending', { timeout: TEST_TIMEOUT_MS }, async () => {
  assert.ok(state.batchId && state.crisisCaseId, 'the earlier tests ran first');
  const all = await feedback();
  const allowed = new Set(['picked_up', 'not_picked_up', 'pending']);
  for (const f of all) {
    assert.ok(allowed.has(f.status), `status "${f.status}" is one of ${[...allowed].join(', ')}`);
    assert.deepEqual(Object.keys(f).sort(), ['batch_id', 'line', 'reference', 'signal_id', 'status'], 'no other fields (no outcome, no reason)');
  }
  const ours = all.filter((f) => f.batch_id === state.batchId);
  assert.equal(ours.length, 3, 'feedback on the three uploaded signals');
  const byRef = Object.fromEntries(ours.map((f) => [f.reference, f.status]));
  assert.deepEqual(byRef, { 'E2E-CRISIS': 'picked_up', 'E2E-HUUR-2': 'pending', 'E2E-HUUR-3': 'pending' });
  assert.ok(all.some((f) => f.status === 'not_picked_up'), 'demo cases closed as not reached read back as not_picked_up');
  assert.ok(!JSON.stringify(all).includes('help_accepted'), 'the outcome itself is never told');

  // The same through the batch's own feedback resource.
  const res = await fetch(`${env.baseURL}/api/v1/signal-batches/${state.batchId}/feedback`, {
    headers: { authorization: `Bearer ${env.server.apiBearer}`, accept: 'application/json' },
  });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).length, 3);
});

test('signals: KPI page and the public area page show disclosure-controlled figures', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withUser('beleid', async (page) => {
    await gotoExpect(page, '/signalen/kpi');
    assert.ok((await page.locator('#kpi tbody tr').count()) > 0, 'KPI rows per wijk');
    // Households come from each area's monitor page (CBS or, for the demo, fictional);
    // the signals are Leefwijk's own registrations.
    const kpiSource = await page.locator('#kpi-source').textContent();
    assert.match(kpiSource, /Huishoudens: zie het wijkbeeld van elk gebied voor bron en jaar/);
    assert.match(kpiSource, /registraties in Leefwijk/);
    assert.doesNotMatch(kpiSource, /Bron huishoudens: CBS/, 'the demo areas are not CBS figures');
    const wk = page.locator('#kpi tbody tr[data-area="WK990101"]');
    assert.equal(await wk.count(), 1, 'a row for WK990101');
    // The policy adviser has no team: everything is disclosure-controlled.
    assert.match(await wk.textContent(), /onthullingscontrole/);
    await gotoExpect(page, '/signalen', 403);
  });
  const { context, page } = await newPage(env.browser, env.baseURL);
  try {
    await gotoExpect(page, '/gebied/BU99010103');
    const note = await page.locator('#outreach-note').textContent();
    assert.match(note, /Kleine aantallen zijn verborgen en aantallen zijn afgerond \(onthullingscontrole\)/);
    // Every cell is a (rounded) figure or "—" for a small, hidden number.
    const cells = await page.$$eval('#outreach-figures tbody td', (tds) => tds.map((td) => td.textContent.trim()));
    assert.ok(cells.length >= 6, 'the outreach figures table');
    for (const c of cells) assert.ok(c.startsWith('—') || /\d/.test(c), `a figure or "—" (got "${c}")`);
    await gotoExpect(page, '/gebied/WK990101');
    assert.equal(await page.locator('#outreach-figures').count(), 1, 'the wijk page has the figures too');
  } finally {
    await context.close();
  }
});

// [user, path, element that proves it is the right page]
const AXE_PAGES = [
  ['wijkteam', '/signalen', '#worklist'],
  ['wijkteam', '/signalen?lang=en', '#worklist'],
  ['regisseur', '/signalen?team=all', '#f-team'],
  ['wijkteam', 'CASE', '#attempt-form'],
  ['wijkteam', 'CLOSED_CASE', '#closed-note'],
  ['wijkteam', '/signalen/kpi', '#kpi'],
  ['beleid', '/signalen/kpi?lang=en', '#kpi'],
  ['corporatie', '/signalen/aanleveren', '#upload-form'],
  ['corporatie', 'REJECTED_UPLOAD', '#upload-errors'],
];

for (const [user, path, marker] of AXE_PAGES) {
  test(`signals axe: ${path} as ${user}`, { timeout: TEST_TIMEOUT_MS }, async () => {
    await withUser(user, async (page) => {
      if (path === 'REJECTED_UPLOAD') {
        assert.equal(await upload(page, BAD_CSV), 422);
      } else if (path === 'CLOSED_CASE') {
        assert.ok(state.crisisCaseId, 'the worklist test ran first');
        await gotoExpect(page, `/signalen/huishouden/${state.crisisCaseId}`);
      } else if (path === 'CASE') {
        // An open case of the team's own list.
        await gotoExpect(page, '/signalen');
        const href = await page.locator('#worklist tbody a[href^="/signalen/huishouden/"]').first().getAttribute('href');
        await gotoExpect(page, href);
      } else {
        await gotoExpect(page, path);
      }
      assert.ok((await page.locator(marker).count()) > 0, `${path} shows ${marker}`);
      await expectNoViolations(page, `${path} as ${user}`);
    });
  });
}

test('signals: on a 375 px phone the pages do not scroll sideways (tables scroll inside their region)', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withUser('wijkteam', async (page) => {
    await gotoExpect(page, '/signalen');
    await assertNoHorizontalScroll(page, '/signalen (phone)');
    const href = await page.locator('#worklist tbody a[href^="/signalen/huishouden/"]').first().getAttribute('href');
    await gotoExpect(page, href);
    await assertNoHorizontalScroll(page, `${href} (phone)`);
    await gotoExpect(page, '/signalen/kpi');
    await assertNoHorizontalScroll(page, '/signalen/kpi (phone)');
  }, PHONE);
  await withUser('corporatie', async (page) => {
    await gotoExpect(page, '/signalen/aanleveren');
    await assertNoHorizontalScroll(page, '/signalen/aanleveren (phone)');
    await expectNoViolations(page, '/signalen/aanleveren (phone)');
  }, PHONE);
});
