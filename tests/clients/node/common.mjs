// Shared helpers for the Node.js client scenarios (ioredis.mjs, node_redis.mjs).
//
// A scenario script is run as `node <script> <mode>` with LARDER_PORT set; it
// exits 0 when every step passed, and non-zero with a message naming the
// failing step otherwise. Every await is bounded: a step that hangs fails
// after STEP_TIMEOUT_MS and the whole process after WATCHDOG_MS.
import assert from 'node:assert/strict';

export const STEP_TIMEOUT_MS = 3000;
export const WATCHDOG_MS = 15000;

export function portFromEnv() {
  const port = Number(process.env.LARDER_PORT);
  if (!Number.isInteger(port) || port <= 0) {
    fail('LARDER_PORT is not set (run through tests/clients/test_node_clients.py)');
  }
  return port;
}

// 'error' events of every client, shown with a failure: ioredis reports the
// server's reply to a failed connection handshake (HELLO, INFO...) only there.
export const clientErrors = [];

export function recordClientError(who, err) {
  clientErrors.push(`${who}: ${err && err.message ? err.message : String(err)}`);
}

export function fail(message) {
  process.stderr.write(`FAIL: ${message}\n`);
  if (clientErrors.length) {
    process.stderr.write(`client 'error' events:\n  ${clientErrors.join('\n  ')}\n`);
  }
  process.exit(1);
}

let currentStep = '(startup)';

export function startWatchdog(name) {
  const t = setTimeout(() => {
    fail(`${name}: did not finish within ${WATCHDOG_MS} ms (stuck in step "${currentStep}")`);
  }, WATCHDOG_MS);
  t.unref();
}

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Runs the named steps in order; stops at the first failure.
export async function runSteps(name, steps) {
  startWatchdog(name);
  const t0 = Date.now();
  for (const [stepName, fn] of steps) {
    currentStep = stepName;
    const s0 = Date.now();
    try {
      await withTimeout(Promise.resolve().then(fn), STEP_TIMEOUT_MS, stepName);
    } catch (err) {
      const detail = err && err.stack ? err.stack : String(err);
      fail(`${name}: step "${stepName}" failed: ${detail}`);
    }
    process.stdout.write(`  ok  ${stepName} (${Date.now() - s0} ms)\n`);
  }
  process.stdout.write(`PASS ${name} (${Date.now() - t0} ms)\n`);
}

export function assertTtl(ttl, lo, hi, what) {
  assert.ok(typeof ttl === 'number' && ttl >= lo && ttl <= hi,
    `${what}: TTL ${JSON.stringify(ttl)} not in [${lo}, ${hi}]`);
}

// "CLIENT INFO" reply -> {field: value}
export function parseClientInfo(text) {
  const out = {};
  for (const part of String(text).trim().split(' ')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

// INFO text -> {section: {field: value}}
export function parseInfo(text) {
  const sections = {};
  let cur = null;
  for (const raw of String(text).split('\r\n')) {
    const line = raw.trim();
    if (line.startsWith('# ')) {
      cur = line.slice(2).toLowerCase();
      sections[cur] = {};
    } else if (line && cur) {
      const i = line.indexOf(':');
      if (i > 0) sections[cur][line.slice(0, i)] = line.slice(i + 1);
    }
  }
  return sections;
}

// A stand-in for the slow database behind the cache.
export class FakeDb {
  constructor() {
    this.rows = new Map();
    for (let i = 0; i < 50; i++) this.rows.set(`user:${i}`, JSON.stringify({ id: i, name: `name-${i}` }));
    this.reads = 0;
  }

  async load(key) {
    this.reads++;
    return this.rows.get(key) ?? null;
  }
}

export { assert };
