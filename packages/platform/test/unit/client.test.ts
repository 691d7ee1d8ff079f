import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { ServiceClient } from '../../src/client/index.js';
import { RetryBudget } from '../../src/client/retry-budget.js';
import { Balancer } from '../../src/client/balancer.js';
import { createClientMetrics } from '../../src/client/metrics.js';
import { isAppError } from '../../src/http/errors.js';
import type { InstanceInfo } from '../../src/discovery/types.js';

const info = (id: string, port: number): InstanceInfo => ({ service: 'u', instanceId: id, host: '127.0.0.1', port, version: 't', zone: 'z', registeredAt: '' });

async function serve(handler: (status: { n: number }) => number): Promise<{ server: Server; port: number; hits: { n: number } }> {
  const hits = { n: 0 };
  const server = createServer((req, res) => {
    hits.n++;
    req.resume();
    res.writeHead(handler(hits), { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

test('retry budget: a fixed allowance plus a share of recent requests, then refused', () => {
  const b = new RetryBudget(0.1, 0, 10);
  const t = 1_000_000;
  for (let i = 0; i < 100; i++) b.recordRequest(t);
  let granted = 0;
  while (b.tryRetry(t)) granted++;
  assert.equal(granted, 10);
  // the window slides: after 10 s the old requests no longer pay for retries
  assert.equal(b.tryRetry(t + 11_000), false);
});

test('no instance: 503 no_upstream with Retry-After', async () => {
  const c = new ServiceClient({ instances: () => [] }, { service: 'u' });
  await assert.rejects(c.request({ method: 'GET', path: '/' }), (e: unknown) => isAppError(e) && e.status === 503 && e.code === 'no_upstream' && e.headers?.['retry-after'] === '1');
  await c.close();
});

test('idempotent 503 is retried on another instance; POST 503 is not', async () => {
  const bad = await serve(() => 503);
  const good = await serve(() => 200);
  const list = [info('bad', bad.port), info('good', good.port)];
  const c = new ServiceClient({ instances: () => list }, { service: 'u', registry: new Registry() });
  for (let i = 0; i < 10; i++) assert.equal((await c.request({ method: 'GET', path: '/' })).status, 200);
  const before = bad.hits.n;
  let post503 = 0;
  for (let i = 0; i < 10; i++) if ((await c.request({ method: 'POST', path: '/', body: { a: 1 } })).status === 503) post503++;
  // every POST that reached the failing instance came back as its 503: none was retried elsewhere
  assert.equal(bad.hits.n - before, post503);
  await c.close();
  bad.server.close();
  good.server.close();
});

test('connection refused counts as never sent: even POST goes to another instance', async () => {
  const good = await serve(() => 200);
  const dead = await serve(() => 200);
  const deadPort = dead.port;
  await new Promise<void>((r) => dead.server.close(() => r()));
  const list = [info('dead', deadPort), info('good', good.port)];
  const c = new ServiceClient({ instances: () => list }, { service: 'u' });
  for (let i = 0; i < 6; i++) {
    const res = await c.request({ method: 'POST', path: '/', body: { i } });
    assert.equal(res.instanceId, 'good');
  }
  await c.close();
  good.server.close();
});

test('power of two choices picks the less loaded of two, skips ejected ones, caps ejections at 50 %', async () => {
  const settings = {
    service: 'u', bodyTimeoutMs: 1000,
    policy: () => ({ timeoutMs: 1000, retries: 2, retryBackoffMs: 0, retryBudgetRatio: 0.1, retryBudgetMinPerSecond: 3, breakerThreshold: 5, breakerHalfOpenAfterMs: 1000 }),
    ejectAfterFailures: 2, baseEjectionMs: 60_000, maxEjectionMs: 60_000, successesToForgetEjections: 20, connections: 1,
    metrics: createClientMetrics(undefined), logger: undefined,
  };
  const list = [info('a', 1), info('b', 2)];
  const b = new Balancer({ instances: () => list }, settings, 50);
  const [a, bb] = b.live();
  a!.outstanding = 3;
  for (let i = 0; i < 50; i++) assert.equal(b.pick(new Set())?.id, 'b');
  a!.outstanding = 0;
  bb!.outstanding = 0;
  // two failures in a row eject 'a'; 'b' may not be ejected as well (max 50 % of 2 = 1)
  a!.failed(() => b.mayEject());
  assert.equal(a!.failed(() => b.mayEject()), true);
  for (let i = 0; i < 20; i++) assert.equal(b.pick(new Set())?.id, 'b');
  bb!.failed(() => b.mayEject());
  assert.equal(bb!.failed(() => b.mayEject()), false, 'ejected past the cap');
  await b.close();
});

test('a timeout to response headers is a 504 and counts for the breaker; a slow body after the headers is not cut', async () => {
  const server = createServer((req, res) => {
    req.resume();
    if (req.url === '/hang') return; // never answers
    // headers at once, the body later than the timeout
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first ');
    setTimeout(() => res.end('last'), 300);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const list = [info('slow', (server.address() as AddressInfo).port)];
  const c = new ServiceClient({ instances: () => list }, { service: 'u', timeoutMs: 100, retries: 0, breakerThreshold: 2, breakerHalfOpenAfterMs: 60_000 });
  const streamed = await c.stream({ method: 'GET', path: '/slow' });
  let text = '';
  for await (const chunk of streamed.body) text += String(chunk);
  assert.equal(text, 'first last');
  for (let i = 0; i < 2; i++) {
    await assert.rejects(c.request({ method: 'GET', path: '/hang' }), (e: unknown) => isAppError(e) && e.status === 504 && e.code === 'upstream_timeout');
  }
  // two timeouts in a row opened the instance's breaker: it is not tried any more
  assert.deepEqual(c.snapshot().map((s) => s.available), [false]);
  await assert.rejects(c.request({ method: 'GET', path: '/slow' }), (e: unknown) => isAppError(e) && e.status === 503 && e.code === 'no_upstream');
  await c.close();
  server.closeAllConnections();
  server.close();
});
