// Launches Debian's chromium through playwright-core (no browser download).
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

export const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Default timeout for every Playwright action/navigation/expectation, in ms. */
export const ACTION_TIMEOUT_MS = 10_000;

export async function launchBrowser() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install it with \`apt-get install -y chromium\` ` +
        '(or set CHROMIUM_BIN).',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: LAUNCH_ARGS,
    timeout: 30_000,
  });
}

/**
 * A new isolated context (own cookies) and page. `options` go to
 * browser.newContext (viewport, isMobile, ...). Returns { context, page }.
 */
export async function newPage(browser, baseURL, options = {}) {
  const context = await browser.newContext({
    baseURL,
    locale: 'nl-NL',
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
  const page = await context.newPage();
  return { context, page };
}
