import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceClient, upstreamPolicyFrom } from '../../src/client/index.js';
import type { UpstreamPolicy } from '../../src/client/index.js';
import { LiveConfig, serviceConfigSchema } from '../../src/config/index.js';
import { isAppError } from '../../src/http/errors.js';
import type { InstanceInfo } from '../../src/discovery/types.js';

const info = (id: string, port: number): InstanceInfo => ({ service: 'u', instanceId: id, host: '127.0.0.1', port, version: 't', zone: 'z', registeredAt: '' });
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

async function listen(handler: (n: number) => { status: number; delayMs?: number }): Promise<{ server: Server; port: number; hits: { n: number } }> {
  const hits = { n: 0 };
  const server = createServer((req, res) => {
    const { status, delayMs = 0 } = handler(++hits.n);
    req.resume();
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{}');
    }, delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

/** A port nothing listens on: every attempt is `connect` (a breaker failure). */
async function closedPort(): Promise<number> {
  const s = await listen(() => ({ status: 200 }));
  await new Promise<void>((r) => s.server.close(() => r()));
  return s.port;
}

const errorCode = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isAppError(e) ? `${e.status} ${e.code}` : String(e);
  }
};

test('a lowered breaker threshold opens the breaker at the next failure, counting failures seen before', async () => {
  const port = await closedPort();
  let policy: Partial<UpstreamPolicy> = { breakerThreshold: 10, breakerHalfOpenAfterMs: 60_000, retries: 0 };
  const c = new ServiceClient({ instances: () => [info('dead', port)] }, { service: 'u', policy: () => policy });
  const available = (): boolean => c.snapshot()[0]!.available;
  for (let i = 0; i < 2; i++) assert.equal(await errorCode(c.request({ method: 'GET', path: '/' })), '503 no_upstream');
  assert.equal(available(), true, 'two failures under a threshold of 10 opened the breaker');
  policy = { ...policy, breakerThreshold: 3 };
  await errorCode(c.request({ method: 'GET', path: '/' }));
  assert.equal(available(), false, 'the third failure did not open the breaker at the new threshold of 3');
  assert.equal(c.currentPolicy().breakerThreshold, 3);
  // an open breaker takes a shortened cool-down at once: its probe is due now
  policy = { ...policy, breakerHalfOpenAfterMs: 0 };
  assert.equal(available(), true, 'a cool-down of 0 did not release the open breaker');
  await c.close();
});

test('a raised breaker threshold keeps a closed breaker closed past the old one', async () => {
  let threshold = 2;
  const port = await closedPort();
  const c = new ServiceClient({ instances: () => [info('dead', port)] }, { service: 'u', retries: 0, breakerHalfOpenAfterMs: 60_000, policy: () => ({ breakerThreshold: threshold }) });
  await errorCode(c.request({ method: 'GET', path: '/' }));
  threshold = 5;
  for (let i = 0; i < 3; i++) await errorCode(c.request({ method: 'GET', path: '/' }));
  assert.equal(c.snapshot()[0]!.available, true, 'opened at the old threshold of 2');
  await errorCode(c.request({ method: 'GET', path: '/' }));
  assert.equal(c.snapshot()[0]!.available, false, 'not open after 5 failures');
  await c.close();
});

test('a shorter timeout applies to the next request: the same slow answer becomes 504', async () => {
  const slow = await listen(() => ({ status: 200, delayMs: 150 }));
  let policy: Partial<UpstreamPolicy> | undefined;
  const c = new ServiceClient({ instances: () => [info('slow', slow.port)] }, { service: 'u', timeoutMs: 2000, retries: 0, policy: () => policy });
  assert.equal((await c.request({ method: 'GET', path: '/' })).status, 200);
  policy = { timeoutMs: 30 };
  assert.equal(await errorCode(c.request({ method: 'GET', path: '/' })), '504 upstream_timeout');
  policy = undefined; // back to the options
  assert.equal((await c.request({ method: 'GET', path: '/' })).status, 200);
  await c.close();
  slow.server.close();
});

test('retries follow the policy: 0 sends one attempt, 2 tries every instance', async () => {
  const a = await listen(() => ({ status: 503 }));
  const b = await listen(() => ({ status: 503 }));
  const c3 = await listen(() => ({ status: 503 }));
  let retries = 0;
  const list = [info('a', a.port), info('b', b.port), info('c', c3.port)];
  const c = new ServiceClient({ instances: () => list }, { service: 'u', ejectAfterFailures: 1000, policy: () => ({ retries }) });
  const total = (): number => a.hits.n + b.hits.n + c3.hits.n;
  assert.equal((await c.request({ method: 'GET', path: '/' })).status, 503);
  assert.equal(total(), 1, 'retried with retries 0');
  retries = 2;
  assert.equal((await c.request({ method: 'GET', path: '/' })).status, 503);
  assert.equal(total(), 4, 'not every instance tried with retries 2');
  await c.close();
  for (const s of [a, b, c3]) s.server.close();
});

test('upstreamPolicyFrom maps upstreams.<service> of a live config, stable until it changes; no entry: options', () => {
  const live = new LiveConfig(serviceConfigSchema(), { logger: quiet, service: 'gateway' });
  const get = upstreamPolicyFrom(live, 'member');
  assert.equal(get(), undefined);
  assert.ok(live.apply({ upstreams: { member: { timeoutMs: 300, breaker: { consecutiveFailures: 2 } } } }, 7, 'etcd'));
  const p = get();
  assert.deepEqual(p, { timeoutMs: 300, retries: 2, retryBackoffMs: 0, retryBudgetRatio: 0.1, retryBudgetMinPerSecond: 3, breakerThreshold: 2, breakerHalfOpenAfterMs: 1000 });
  assert.equal(get(), p, 'a new object without a change');
  assert.ok(live.apply({ upstreams: { order: { timeoutMs: 100 } } }, 8, 'etcd'));
  assert.equal(get(), undefined);
});

test('a policy change is logged once with what changed', async () => {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const logger = { ...quiet, info: (obj: object, msg?: string) => void lines.push({ obj: obj as Record<string, unknown>, msg: msg ?? '' }) };
  let policy: Partial<UpstreamPolicy> = { timeoutMs: 100 };
  const c = new ServiceClient({ instances: () => [] }, { service: 'u', logger, policy: () => policy });
  c.currentPolicy();
  policy = { timeoutMs: 200 };
  c.currentPolicy();
  c.currentPolicy();
  policy = { timeoutMs: 200 }; // a new object, same values: nothing to log
  c.currentPolicy();
  const changes = lines.filter((l) => l.msg.startsWith('client: call policy for u changed'));
  assert.equal(changes.length, 1);
  assert.deepEqual(changes[0]!.obj['changed'], { timeoutMs: { from: 100, to: 200 } });
  await c.close();
});
