// axe-core accessibility scan through @axe-core/playwright.
import { AxeBuilder } from '@axe-core/playwright';

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe on the current page with the WCAG 2.1 A/AA tags; returns the violations.
 * `large: true` is for pages with thousands of elements (the national map /kaart with
 * 3,340 linked areas): axe then runs in the page itself (axe.run, "legacy mode": no
 * cross-origin frames, which the CSP forbids anyway) and only violations are collected
 * in full (resultTypes), so axe does not build selectors and HTML for every passing node
 * and ship them to a blank page. The rules and the violations found are the same; a
 * full default scan of /kaart takes minutes, this one seconds.
 */
export async function scan(page, { large = false } = {}) {
  let builder = new AxeBuilder({ page }).withTags(WCAG_TAGS);
  if (large) builder = builder.setLegacyMode(true).options({ resultTypes: ['violations'] });
  const results = await builder.analyze();
  return results.violations;
}

/** Human-readable violations: rule id, impact, help, and each target with its summary. */
export function formatViolations(label, violations) {
  const lines = [`axe: ${violations.length} violation(s) on ${label}`];
  for (const v of violations) {
    lines.push(`- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`);
    for (const node of v.nodes) {
      lines.push(`    target: ${JSON.stringify(node.target)}`);
      lines.push(`      html: ${node.html.replace(/\s+/g, ' ').slice(0, 200)}`);
      if (node.failureSummary) {
        const summary = node.failureSummary.replace(/\s+/g, ' ').slice(0, 300);
        lines.push(`      why:  ${summary}`);
      }
    }
  }
  return lines.join('\n');
}

/**
 * Scans the page and throws (after printing) if axe reports any violation.
 * `options`: see scan (`{ large: true }` for pages with thousands of elements).
 */
export async function expectNoViolations(page, label, options = {}) {
  const violations = await scan(page, options);
  if (violations.length > 0) {
    const report = formatViolations(label, violations);
    console.log(report);
    const err = new Error(report);
    err.violations = violations;
    throw err;
  }
}
