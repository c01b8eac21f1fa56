// One server + one browser per test file, started in before() and stopped in after().
import { after, before } from 'node:test';
import { launchBrowser } from './browser.mjs';
import { startServer } from './server.mjs';

/** Per-test timeout (ms) for node:test. Every test must stay below 30 s. */
export const TEST_TIMEOUT_MS = 30_000;

/**
 * Registers before/after hooks and returns an object whose `baseURL`,
 * `browser` and `server` fields are filled in once before() ran. `config`: the
 * server's leefwijk.toml text (see startServer); `env.server.dataDir` is its folder.
 */
export function useAppAndBrowser({ config = '' } = {}) {
  const env = { baseURL: '', browser: null, server: null };
  before(
    async () => {
      env.server = await startServer({ config });
      env.baseURL = env.server.baseURL;
      env.browser = await launchBrowser();
    },
    { timeout: 60_000 },
  );
  after(
    async () => {
      if (env.browser) await env.browser.close().catch(() => {});
      if (env.server) await env.server.stop();
    },
    { timeout: 30_000 },
  );
  return env;
}

/** Fails with the page's HTTP status and URL if a navigation did not give `status`. */
export async function gotoExpect(page, path, status = 200) {
  const res = await page.goto(path, { waitUntil: 'load' });
  const got = res ? res.status() : 'no response';
  if (got !== status) {
    throw new Error(`GET ${path}: expected HTTP ${status}, got ${got}`);
  }
  return res;
}
