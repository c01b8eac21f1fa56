// Starts a throw-away Leefwijk server (demo data, fresh data dir, free port)
// for one test file and stops it again.
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const E2E_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Path of the leefwijk binary: $LEEFWIJK_BIN or ../target/debug/leefwijk relative to e2e/. */
export function serverBinary() {
  return process.env.LEEFWIJK_BIN
    ? resolve(process.env.LEEFWIJK_BIN)
    : resolve(E2E_DIR, '..', 'target', 'debug', 'leefwijk');
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Like sleep, but does not keep the process alive (for Promise.race timeouts). */
const grace = (ms) => new Promise((r) => setTimeout(r, ms).unref());

/** HTTP status of GET url (no keep-alive, so nothing keeps the process alive), or 0. */
function statusOf(url, timeoutMs = 2_000) {
  return new Promise((ok) => {
    const req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      ok(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => ok(0));
  });
}

/**
 * Starts `leefwijk serve --demo` and waits until /api/v1/health answers 200.
 * Returns { baseURL, dataDir, stop(), output(), apiBearer } (apiBearer: the demo API
 * client's `ID:SECRET` printed at start, '' if none). `config` is the text of a
 * leefwijk.toml written into the fresh data dir (the server's working directory), e.g.
 * `[mail]\nsender = "file"\npath = "outbox.jsonl"` to read mails from `dataDir`.
 */
export async function startServer({ timeoutMs = 30_000, config = '' } = {}) {
  // The free port may be taken between asking and binding: try a few times.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(timeoutMs, config);
    } catch (err) {
      if (attempt >= 3 || !err.exitedEarly) throw err;
    }
  }
}

async function startOnce(timeoutMs, config) {
  const bin = serverBinary();
  if (!existsSync(bin)) {
    throw new Error(
      `Leefwijk binary not found at ${bin}. Build it with \`cargo build -p leefwijk\` ` +
        'in the repository root, or point LEEFWIJK_BIN at it.',
    );
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'leefwijk-e2e-'));
  if (config) writeFileSync(join(dataDir, 'leefwijk.toml'), config);
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;

  // Only pass a clean environment: no LEEFWIJK_* settings of the developer's
  // shell may leak into the server under test. The cwd is the empty data dir
  // so that only the test's own ./leefwijk.toml (if any) is picked up.
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('LEEFWIJK_')) env[k] = v;
  }
  env.RUST_LOG = env.RUST_LOG || 'warn';

  let log = '';
  const child = spawn(
    bin,
    ['serve', '--demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir],
    { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (chunk) => {
    log += chunk.toString();
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exitPromise = new Promise((r) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      r();
    });
    child.on('error', (err) => {
      exited = { error: err.message };
      r();
    });
  });

  // Never leave the server behind, even when the test process is interrupted.
  const killNow = () => {
    if (!exited) child.kill('SIGKILL');
  };
  const onSignal = (sig) => {
    killNow();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', killNow);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const stop = async () => {
    process.off('exit', killNow);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!exited) {
      child.kill('SIGTERM');
      await Promise.race([exitPromise, grace(5_000)]);
      if (!exited) {
        child.kill('SIGKILL');
        await Promise.race([exitPromise, grace(2_000)]);
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      const err = new Error(`leefwijk serve exited early (${JSON.stringify(exited)}):\n${log}`);
      err.exitedEarly = true;
      throw err;
    }
    if ((await statusOf(`${baseURL}/api/v1/health`)) === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`leefwijk serve did not become healthy within ${timeoutMs} ms:\n${log}`);
    }
    await sleep(100);
  }
  return { baseURL, dataDir, stop, output: () => log, apiBearer: demoApiBearer(log) };
}

/**
 * The demo API client's credential `lwc_...:...` from the server's start-up output
 * (`... Authorization: Bearer ID:SECRET`), or '' when it is not there. The server prints
 * it before it listens, so it is in the output once /api/v1/health answered.
 */
export function demoApiBearer(output) {
  const m = /Authorization: Bearer (lwc_[0-9A-Za-z_-]+:[0-9A-Za-z_-]+)/.exec(output);
  return m ? m[1] : '';
}
