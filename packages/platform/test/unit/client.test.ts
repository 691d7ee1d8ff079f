import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { ServiceClient } from '../../src/client/index.js';
import { RetryBudget } from '../../src/client/retry-budget.js';
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
  let post503 = 0;
  for (let i = 0; i < 10; i++) if ((await c.request({ method: 'POST', path: '/', body: { a: 1 } })).status === 503) post503++;
  assert.ok(post503 >= 0 && bad.hits.n >= 1);
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

test('power of two choices prefers the instance with fewer outstanding requests', async () => {
  const slow = createServer((_req, res) => setTimeout(() => res.end('{}'), 200));
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  const fast = await serve(() => 200);
  const list = [info('slow', (slow.address() as AddressInfo).port), info('fast', fast.port)];
  const c = new ServiceClient({ instances: () => list }, { service: 'u' });
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => new Promise((r) => setTimeout(r, i * 5)).then(() => c.request({ method: 'GET', path: '/' }))));
  const toFast = results.filter((r) => r.instanceId === 'fast').length;
  assert.ok(toFast >= 15, `only ${toFast}/20 went to the fast instance`);
  await c.close();
  slow.close();
  fast.server.close();
});
