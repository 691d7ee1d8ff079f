/**
 * The client-side load balancer against real instances (separate processes) registered in the
 * real etcd: outlier ejection and re-admission, kill -9 under load, breaker transitions in the
 * metrics, OUT_OF_SERVICE. Needs etcd on 127.0.0.1:2379 (`brewops up`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { Discovery, type ServiceWatch } from '../../src/discovery/index.js';
import { ServiceClient } from '../../src/client/index.js';
import type { ServiceClientOptions } from '../../src/client/index.js';
import { startFixtures, stopFixtures, uniqueService, type FixtureInstance } from './client-cluster.js';
import { countBy, failures, runLoad } from './client-load.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let discovery: Discovery;
before(() => {
  discovery = new Discovery({ hosts: ['http://127.0.0.1:2379'], logger: quiet, ttlSeconds: 2 });
});
after(() => discovery.close());

async function cluster(count: number, options: Partial<ServiceClientOptions> = {}) {
  const service = uniqueService();
  const fixtures = await startFixtures(service, count);
  let watch: ServiceWatch;
  try {
    watch = await discovery.watch(service);
    for (let i = 0; i < 100 && watch.instances().length < count; i++) await sleep(20);
    assert.equal(watch.instances().length, count, 'fixtures not all visible in discovery');
  } catch (err) {
    await stopFixtures(fixtures);
    throw err;
  }
  const registry = new Registry();
  const client = new ServiceClient(watch, { service, registry, ...options });
  const close = async (): Promise<void> => {
    await client.close();
    await watch.close();
    await stopFixtures(fixtures);
  };
  return { service, fixtures, watch, registry, client, close };
}

function metricValue(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text.split('\n')
    .filter((l) => l.startsWith(name) && want.every((w) => l.includes(w)))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

describe('client-side load balancer (real instances, real etcd)', { timeout: 120_000 }, () => {
  test('an instance that starts answering 500 is ejected, failures are bounded, and it is re-admitted after it recovers', async () => {
    const c = await cluster(3);
    try {
      await runLoad(c.client, { concurrency: 4, durationMs: 500 });
      const bad: FixtureInstance = c.fixtures[0]!;
      await bad.setMode('fail');
      const during = await runLoad(c.client, { concurrency: 4, durationMs: 3000, pauseMs: 2 });
      const visible = failures(during);
      const ejections = metricValue(await c.registry.metrics(), 'brewops_client_ejections_total', { upstream_instance: bad.id });
      console.log(`  ejection: ${during.length} requests in 3 s, ${visible.length} client-visible failures, ${ejections} ejection(s) of ${bad.id}; served by ${JSON.stringify(countBy(during))}`);
      assert.ok(ejections >= 1, 'the failing instance was never ejected');
      assert.ok(visible.length <= 12, `too many client-visible failures: ${visible.length}`);
      assert.ok(visible.length < during.length * 0.05, 'failures not bounded to a small share');

      await bad.setMode('ok');
      const recoveredAt = Date.now();
      let readmittedMs = -1;
      for (let round = 0; round < 20 && readmittedMs < 0; round++) {
        const rs = await runLoad(c.client, { concurrency: 4, durationMs: 500, pauseMs: 2 });
        const hit = rs.find((r) => r.instanceId === bad.id && r.status === 200);
        if (hit) readmittedMs = hit.startedAt - recoveredAt;
      }
      console.log(`  re-admitted ${readmittedMs} ms after it recovered`);
      assert.ok(readmittedMs >= 0, 'the recovered instance never got traffic again');
    } finally {
      await c.close();
    }
  });

  test('kill -9 of one of three instances under GET load: zero client-visible errors (retries within budget)', async () => {
    const c = await cluster(3);
    try {
      const victim = c.fixtures[1]!;
      const load = runLoad(c.client, { concurrency: 8, durationMs: 4000 });
      await sleep(1000);
      victim.proc.kill('SIGKILL');
      const rs = await load;
      const visible = failures(rs);
      const text = await c.registry.metrics();
      const retries = metricValue(text, 'brewops_client_retries_total', {});
      console.log(`  kill -9: ${rs.length} GETs, ${visible.length} client-visible errors, ${retries} retries (${((retries / rs.length) * 100).toFixed(2)} % extra), ${victim.id} gone from discovery: ${!c.watch.instances().some((i) => i.instanceId === victim.id)}`);
      assert.deepEqual(visible.map((r) => r.error ?? r.status), [], 'client-visible errors');
      assert.ok(retries <= rs.length * 0.1 + 30, 'retries exceeded the budget');
    } finally {
      await c.close();
    }
  });

  test('breaker: opens after the threshold, half-open probe after the cool-down, closed when the probe succeeds', async () => {
    const c = await cluster(3, { timeoutMs: 150, breakerThreshold: 3, breakerHalfOpenAfterMs: 600, ejectAfterFailures: 1000 });
    try {
      const slow = c.fixtures[2]!;
      const labels = { upstream_instance: slow.id };
      await slow.setMode('hang');
      await runLoad(c.client, { concurrency: 4, durationMs: 1000 });
      let text = await c.registry.metrics();
      assert.equal(metricValue(text, 'brewops_client_breaker_state', labels), 2, 'breaker gauge not open (2)');
      assert.ok(metricValue(text, 'brewops_client_breaker_transitions_total', { ...labels, state: 'open' }) >= 1);
      assert.ok(metricValue(text, 'brewops_client_errors_total', { ...labels, error_type: 'timeout' }) >= 3);
      await slow.setMode('ok');
      await sleep(700);
      await runLoad(c.client, { concurrency: 2, durationMs: 500 });
      text = await c.registry.metrics();
      const t = (state: string): number => metricValue(text, 'brewops_client_breaker_transitions_total', { ...labels, state });
      console.log(`  breaker transitions of ${slow.id}: open ${t('open')}, half_open ${t('half_open')}, closed ${t('closed')}; gauge now ${metricValue(text, 'brewops_client_breaker_state', labels)}`);
      assert.ok(t('half_open') >= 1, 'no half-open probe');
      assert.ok(t('closed') >= 1, 'breaker did not close after the probe succeeded');
      assert.equal(metricValue(text, 'brewops_client_breaker_state', labels), 0, 'breaker gauge not closed (0)');
    } finally {
      await c.close();
    }
  });

  test('OUT_OF_SERVICE written to etcd: traffic to that instance stops within milliseconds', async () => {
    const c = await cluster(3);
    try {
      const target = c.fixtures[0]!;
      const load = runLoad(c.client, { concurrency: 4, durationMs: 2500, pauseMs: 1 });
      await sleep(800);
      const writtenAt = Date.now();
      await discovery.setOverride(c.service, target.id, 'OUT_OF_SERVICE');
      const rs = await load;
      const after = rs.filter((r) => r.instanceId === target.id && r.startedAt >= writtenAt);
      const lastMs = after.length === 0 ? 0 : Math.max(...after.map((r) => r.startedAt - writtenAt));
      console.log(`  OUT_OF_SERVICE: last request sent to ${target.id} ${lastMs} ms after the etcd write (${after.length} after the write; ${rs.filter((r) => r.instanceId === target.id).length} before+after)`);
      assert.ok(rs.some((r) => r.instanceId === target.id && r.startedAt < writtenAt), 'target had no traffic before');
      assert.ok(lastMs <= 500, `traffic went on for ${lastMs} ms`);
      assert.deepEqual(failures(rs), []);
      await discovery.setOverride(c.service, target.id, null);
    } finally {
      await c.close();
    }
  });
});
