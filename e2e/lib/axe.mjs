// axe-core accessibility scan through @axe-core/playwright.
import { AxeBuilder } from '@axe-core/playwright';

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Runs axe on the current page with the WCAG 2.1 A/AA tags; returns the violations. */
export async function scan(page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
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
 */
export async function expectNoViolations(page, label) {
  const violations = await scan(page);
  if (violations.length > 0) {
    const report = formatViolations(label, violations);
    console.log(report);
    const err = new Error(report);
    err.violations = violations;
    throw err;
  }
}
