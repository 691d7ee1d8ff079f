/**
 * The gateway's load balancing over real instances in the real etcd, seen from a client:
 * kill -9 of one of three instances under GET load gives zero client-visible errors; a hanging
 * instance's breaker goes open → half-open → closed and each transition shows in the gateway's
 * /metrics; OUT_OF_SERVICE in etcd stops its traffic (the ms are printed).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Discovery } from '@brewops/platform';
import { cluster, startGateway, type Fixture, type TestGateway } from './10-gateway-harness.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let gw: TestGateway;
let fixtures: Fixture[];
let svc: string;

before(async () => {
  svc = cluster.uniqueService('gwlb');
  fixtures = await cluster.startFixtures(svc, 3);
  // These tests are about load balancing: the per-address limit (1,000/s by default, and this
  // load reaches ~1,800/s) would answer 429 for reasons that have nothing to do with the instances.
  gw = await startGateway({
    GATEWAY_SERVICES: svc, GATEWAY_AUTH: 'off', GATEWAY_UPSTREAM_TIMEOUT_MS: '250',
    GATEWAY_ANON_RATE_PER_SECOND: '1000000', GATEWAY_ANON_RATE_BURST: '1000000',
  });
});
after(async () => {
  await gw?.stop();
  await cluster.stopFixtures(fixtures ?? []);
});

interface Hit { at: number; status: number; instance: string | null }

async function load(concurrency: number, ms: number): Promise<Hit[]> {
  const hits: Hit[] = [];
  const end = Date.now() + ms;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) {
      const at = Date.now();
      try {
        const res = await fetch(`${gw.url}/api/${svc}/v1/echo`, { signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        hits.push({ at, status: res.status, instance: res.headers.get('x-upstream-instance') });
      } catch {
        hits.push({ at, status: 0, instance: null });
      }
    }
  }));
  return hits;
}

const metric = async (name: string, labels: Record<string, string>): Promise<number> => {
  const text = await (await fetch(`${gw.adminUrl}/metrics`)).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text.split('\n').filter((l) => l.startsWith(name) && want.every((w) => l.includes(w)))
    .reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
};

describe('gateway load balancing (real instances, real etcd)', { timeout: 120_000 }, () => {
  test('breaker: open → half-open → closed, each transition in the gateway /metrics', async () => {
    const f = fixtures[2]!;
    const labels = { upstream_instance: f.id };
    await f.setMode('hang');
    await load(4, 2000);
    assert.ok(await metric('brewops_client_breaker_transitions_total', { ...labels, state: 'open' }) >= 1, 'no open transition in /metrics');
    await f.setMode('ok');
    await sleep(1200);
    await load(2, 1000);
    const t = async (state: string): Promise<number> => metric('brewops_client_breaker_transitions_total', { ...labels, state });
    console.log(`  gateway /metrics, ${f.id}: open ${await t('open')}, half_open ${await t('half_open')}, closed ${await t('closed')}, state gauge ${await metric('brewops_client_breaker_state', labels)}`);
    assert.ok(await t('half_open') >= 1);
    assert.ok(await t('closed') >= 1);
    assert.equal(await metric('brewops_client_breaker_state', labels), 0);
  });

  test('OUT_OF_SERVICE in etcd stops traffic to that instance', async () => {
    const f = fixtures[0]!;
    const discovery = new Discovery({ hosts: ['http://127.0.0.1:2379'], logger: quiet });
    try {
      const pending = load(4, 2500);
      await sleep(800);
      const writtenAt = Date.now();
      await discovery.setOverride(svc, f.id, 'OUT_OF_SERVICE');
      const hits = await pending;
      const late = hits.filter((h) => h.instance === f.id && h.at >= writtenAt);
      const lastMs = late.length === 0 ? 0 : Math.max(...late.map((h) => h.at - writtenAt));
      console.log(`  OUT_OF_SERVICE via gateway: last request to ${f.id} left ${lastMs} ms after the etcd write`);
      assert.ok(lastMs <= 500, `traffic went on for ${lastMs} ms`);
      assert.deepEqual(hits.filter((h) => h.status !== 200), []);
    } finally {
      await discovery.setOverride(svc, f.id, null);
      await discovery.close();
    }
  });

  test('kill -9 of one of three instances under GET load: zero client-visible errors', async () => {
    await sleep(300); // the override removal has reached the gateway
    const victim = fixtures[1]!;
    const pending = load(6, 4000);
    await sleep(1000);
    victim.proc.kill('SIGKILL');
    const hits = await pending;
    const bad = hits.filter((h) => h.status !== 200);
    const retries = await metric('brewops_client_retries_total', {});
    console.log(`  kill -9 via gateway: ${hits.length} GETs, ${bad.length} client-visible errors, ${retries} retries in total`);
    assert.deepEqual(bad, []);
  });
});
