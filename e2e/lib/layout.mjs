// Layout checks shared by the phone-viewport tests.
import assert from 'node:assert/strict';

/** Options for browser.newContext: a 375×740 phone. */
export const PHONE = {
  viewport: { width: 375, height: 740 },
  screen: { width: 375, height: 740 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};

/** Page width facts; `wide` lists elements that stick out past the viewport. */
export async function widthFacts(page) {
  return page.evaluate(() => {
    const vw = window.innerWidth;
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > vw + 1) {
        // Inside a horizontally scrollable (or clipping) wrapper is fine.
        let p = el.parentElement;
        let contained = false;
        while (p && p !== document.body) {
          const ox = getComputedStyle(p).overflowX;
          if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') {
            contained = true;
            break;
          }
          p = p.parentElement;
        }
        if (!contained) {
          const id = el.id ? `#${el.id}` : '';
          const cls = el.getAttribute('class')
            ? `.${el.getAttribute('class').trim().split(/\s+/).join('.')}`
            : '';
          wide.push(`${el.tagName.toLowerCase()}${id}${cls} right=${Math.round(r.right)}`);
        }
      }
    }
    return {
      scrollWidth: document.documentElement.scrollWidth,
      bodyScrollWidth: document.body.scrollWidth,
      innerWidth: vw,
      wide: wide.slice(0, 10),
    };
  });
}

/** Fails when the page (html or body) scrolls horizontally, naming what sticks out. */
export async function assertNoHorizontalScroll(page, label) {
  const f = await widthFacts(page);
  const widest = Math.max(f.scrollWidth, f.bodyScrollWidth);
  assert.ok(
    widest <= f.innerWidth + 1,
    `${label}: horizontal scroll at ${f.innerWidth}px: scrollWidth ${widest} > innerWidth ${f.innerWidth}; ` +
      `elements past the right edge: ${f.wide.join(', ') || '(none found)'}`,
  );
}
