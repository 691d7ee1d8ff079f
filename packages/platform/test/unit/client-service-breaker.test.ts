import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { ServiceBreaker, ServiceClient, isServiceBreakerOpen } from '../../src/client/index.js';
import { AppError } from '../../src/http/errors.js';
import type { InstanceInfo } from '../../src/discovery/types.js';

const noUpstream = (): AppError => new AppError({ status: 503, code: 'no_upstream', message: 'no member instance is available' });
const answer = (status: number) => async () => ({ status, body: {} });

function recordingLogger() {
  const lines: Array<{ level: string; msg: string; fields: Record<string, unknown> }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => { lines.push({ level, msg, fields }); };
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } };
}

async function metric(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = (m?.values as Array<{ value: number; labels: Record<string, unknown> }> | undefined)
    ?.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value;
}

const STATE = 'brewops_client_service_breaker_state';

test('service breaker: failures open it, open refuses without calling, a half-open probe closes it', async (t) => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  t.after(() => mock.timers.reset());
  const registry = new Registry();
  const { lines, logger } = recordingLogger();
  const b = new ServiceBreaker({ service: 'member', breakerThreshold: 3, breakerHalfOpenAfterMs: 5000, registry, logger });
  assert.equal(await metric(registry, STATE, { upstream_service: 'member' }), 0, 'gauge starts closed');

  let calls = 0;
  const failing = async () => { calls++; throw noUpstream(); };
  for (let i = 0; i < 3; i++) await assert.rejects(b.execute(failing), (e: unknown) => !isServiceBreakerOpen(e));
  assert.equal(b.state, 'open');
  assert.equal(await metric(registry, STATE, { upstream_service: 'member' }), 2, 'gauge shows open');

  // open: refused at once, nothing is called, Retry-After is the rest of the cool-down
  mock.timers.tick(1000);
  await assert.rejects(b.execute(failing), (e: unknown) => isServiceBreakerOpen(e) && e.status === 503 && e.headers?.['retry-after'] === '4');
  assert.equal(calls, 3, 'no call while open');
  assert.equal(await metric(registry, 'brewops_client_service_breaker_rejected_total', { upstream_service: 'member' }), 1);

  // after the cool-down: one probe, which succeeds and closes the breaker
  mock.timers.tick(4000);
  let stateDuringProbe: string | undefined;
  const probe = await b.execute(async () => { stateDuringProbe = b.state; return { status: 200, body: { discountPercent: 10 } }; });
  assert.equal(probe.status, 200);
  assert.equal(stateDuringProbe, 'half_open');
  assert.equal(b.state, 'closed');
  assert.equal(await metric(registry, STATE, { upstream_service: 'member' }), 0, 'gauge back to closed');
  for (const state of ['open', 'half_open', 'closed']) {
    assert.equal(await metric(registry, 'brewops_client_service_breaker_transitions_total', { upstream_service: 'member', state }), 1, `one transition to ${state}`);
  }
  assert.deepEqual(lines.map((l) => [l.level, l.fields['state']]), [['warn', 'open'], ['info', 'half_open'], ['info', 'closed']], 'one log line per transition');
  assert.match(lines[0]!.msg, /service breaker for member open/);
});

test('service breaker: a failed probe opens it for another cool-down', async (t) => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  t.after(() => mock.timers.reset());
  const b = new ServiceBreaker({ service: 'member', breakerThreshold: 1, breakerHalfOpenAfterMs: 1000 });
  await assert.rejects(b.execute(async () => { throw noUpstream(); }));
  assert.equal(b.state, 'open');
  mock.timers.tick(1000);
  await assert.rejects(b.execute(async () => { throw noUpstream(); }), (e: unknown) => !isServiceBreakerOpen(e), 'the probe was sent');
  assert.equal(b.state, 'open');
  mock.timers.tick(999);
  await assert.rejects(b.execute(answer(200)), isServiceBreakerOpen, 'still cooling down');
  mock.timers.tick(1);
  assert.equal((await b.execute(answer(200))).status, 200);
  assert.equal(b.state, 'closed');
});

test('service breaker: 5xx answers count (and are returned), 2xx-4xx answers and 4xx errors reset or do not count', async () => {
  const b = new ServiceBreaker({ service: 'member', breakerThreshold: 2, breakerHalfOpenAfterMs: 60_000 });
  assert.equal((await b.execute(answer(502))).status, 502, 'the caller still sees the answer');
  assert.equal((await b.execute(answer(404))).status, 404, 'unknown member: the service works');
  assert.equal((await b.execute(answer(500))).status, 500);
  assert.equal(b.state, 'closed', 'the 404 reset the count');
  await assert.rejects(b.execute(async () => { throw new AppError({ status: 400, code: 'bad_request', message: 'x' }); }));
  assert.equal(b.state, 'closed', 'a request the client refused says nothing about the service');
  await b.execute(answer(503));
  assert.equal(b.state, 'open');
});

test('service breaker: threshold and cool-down follow the live policy', async (t) => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  t.after(() => mock.timers.reset());
  let policy = { breakerThreshold: 4, breakerHalfOpenAfterMs: 10_000 };
  const b = new ServiceBreaker({ service: 'member', policy: () => policy });
  await b.execute(answer(503));
  await b.execute(answer(503));
  assert.equal(b.state, 'closed');
  policy = { breakerThreshold: 3, breakerHalfOpenAfterMs: 10_000 };
  await b.execute(answer(503));
  assert.equal(b.state, 'open', 'the lowered threshold applies at the next failure');
  mock.timers.tick(2000);
  await assert.rejects(b.execute(answer(200)), isServiceBreakerOpen);
  policy = { breakerThreshold: 3, breakerHalfOpenAfterMs: 2000 };
  assert.equal((await b.execute(answer(200))).status, 200, 'a shortened cool-down releases the open breaker');
  assert.equal(b.state, 'closed');
});

test('service breaker over a ServiceClient: every instance gone opens it; an instance back closes it after the cool-down', async (t) => {
  const server = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"discountPercent":10}'); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  let list: InstanceInfo[] = [];
  const client = new ServiceClient({ instances: () => list }, { service: 'member' });
  t.after(() => client.close());
  const b = new ServiceBreaker({ service: 'member', breakerThreshold: 2, breakerHalfOpenAfterMs: 200 });
  const call = () => b.execute(() => client.request({ method: 'GET', path: '/v1/members/m-1' }));

  await assert.rejects(call(), (e: unknown) => !isServiceBreakerOpen(e) && (e as AppError).code === 'no_upstream');
  await assert.rejects(call(), (e: unknown) => (e as AppError).code === 'no_upstream');
  assert.equal(b.state, 'open');
  list = [{ service: 'member', instanceId: 'member-1', host: '127.0.0.1', port, version: 't', zone: 'z', registeredAt: '' }];
  await assert.rejects(call(), isServiceBreakerOpen, 'open: not sent although an instance is back');
  // wait out the cool-down (real time here: the client's own timers run)
  await new Promise((r) => setTimeout(r, 250));
  const res = await call();
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { discountPercent: 10 });
  assert.equal(b.state, 'closed');
});
