import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import { validateConfig, serviceConfigSchema } from '../../src/config/index.js';
import type { FaultsConfig } from '../../src/config/index.js';
import { effectiveFaults, faultMiddleware } from '../../src/faults/index.js';
import { createApp, Readiness } from '../../src/http/index.js';
import { createLogger } from '../../src/log/index.js';
import { createMetrics } from '../../src/metrics/index.js';

function faults(raw: unknown): FaultsConfig {
  const r = validateConfig(serviceConfigSchema(), { faults: raw });
  assert.ok(r.ok, JSON.stringify(r.ok ? '' : r.issues));
  return r.value.faults;
}

describe('fault flags in the config schema', () => {
  it('defaults to no fault at all, so old configs (errorRatio, latencyMs only) stay valid', () => {
    const f = faults({ errorRatio: 0, latencyMs: 0 });
    assert.deepEqual(effectiveFaults(f, 'x-1'), {
      errorRatio: 0, latencyMs: 0, hang: false, crashAt: null, memoryGrowthMbPerSec: 0, memoryCapMb: 256, cpuBurnRatio: 0, brokerDisconnect: false,
    });
  });

  it('lets one instance override the service and leaves the other on the service settings', () => {
    const f = faults({ cpuBurnRatio: 0.1, instances: { 'x-1': { hang: true, cpuBurnRatio: 0.5, crashAt: '2030-01-01T00:00:00Z', brokerDisconnect: true } } });
    assert.equal(effectiveFaults(f, 'x-1').hang, true);
    assert.equal(effectiveFaults(f, 'x-1').cpuBurnRatio, 0.5);
    assert.equal(effectiveFaults(f, 'x-1').crashAt, '2030-01-01T00:00:00Z');
    assert.deepEqual(effectiveFaults(f, 'x-2'), { ...effectiveFaults(faults({}), 'x-2'), cpuBurnRatio: 0.1 });
  });

  it('refuses out-of-range or mistyped values with the path of the bad key', () => {
    for (const [raw, path] of [
      [{ cpuBurnRatio: 1.5 }, 'faults.cpuBurnRatio'],
      [{ memoryGrowthMbPerSec: -1 }, 'faults.memoryGrowthMbPerSec'],
      [{ instances: { 'x-1': { crashAt: 'tomorrow' } } }, 'faults.instances.x-1.crashAt'],
      [{ instances: { 'x-1': { hang: 'yes' } } }, 'faults.instances.x-1.hang'],
      [{ instances: { 'x-1': { explode: true } } }, 'faults.instances.x-1.explode'],
    ] as const) {
      const r = validateConfig(serviceConfigSchema(), { faults: raw });
      assert.equal(r.ok, false, JSON.stringify(raw));
      if (!r.ok) assert.ok(r.issues.some((i) => i.path === path), `${path} not in ${JSON.stringify(r.issues)}`);
    }
  });
});

describe('hang fault (middleware)', () => {
  async function serve(current: { faults: FaultsConfig }) {
    const logger = createLogger({ service: 'items', instanceId: 'items-1', level: 'silent', destination: { write: () => undefined } });
    const metrics = createMetrics({ service: 'items', instanceId: 'items-1', defaultMetrics: false });
    const beforeRoutes = faultMiddleware({ faults: () => current.faults, instanceId: 'items-1', registry: metrics.registry });
    const app = createApp({ service: 'items', instanceId: 'items-1', logger, metrics, readiness: new Readiness(), beforeRoutes });
    const router = new Router();
    router.get('/v1/items', (ctx) => void (ctx.body = { ok: true }));
    app.use(router.routes());
    const server = http.createServer(app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, metrics };
  }

  it('holds requests (readiness included) unanswered while set and answers them once cleared; liveness and metrics still answer', async () => {
    const current = { faults: faults({ instances: { 'items-1': { hang: true } } }) };
    const { url, server, metrics } = await serve(current);
    try {
      let answered = false;
      const pending = fetch(`${url}/v1/items`).then((r) => { answered = true; return r; });
      await assert.rejects(fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(200) }), /timeout|abort/i, 'readiness answered while hanging');
      assert.equal((await fetch(`${url}/health/live`)).status, 200);
      assert.equal((await fetch(`${url}/metrics`)).status, 200);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(answered, false, 'a request was answered while hang was set');
      current.faults = faults({});
      const res = await pending;
      assert.equal(res.status, 200);
      assert.match(await metrics.registry.metrics(), /brewops_faults_injected_total\{kind="hang"[^}]*\} 2/, "the hung request and the hung probe are counted");
    } finally {
      server.close();
    }
  });

  it('gives up on a request whose client went away (the client sees its own timeout)', async () => {
    const current = { faults: faults({ hang: true }) };
    const { url, server } = await serve(current);
    try {
      await assert.rejects(fetch(`${url}/v1/items`, { signal: AbortSignal.timeout(200) }), /timeout|abort/i);
      current.faults = faults({});
      assert.equal((await fetch(`${url}/v1/items`)).status, 200);
    } finally {
      server.close();
    }
  });

  it('fails readiness probes under errorRatio 1 (what the controller probes), not liveness', async () => {
    const current = { faults: faults({ errorRatio: 1 }) };
    const { url, server } = await serve(current);
    try {
      assert.equal((await fetch(`${url}/health/ready`)).status, 500);
      assert.equal((await fetch(`${url}/health/live`)).status, 200);
    } finally {
      server.close();
    }
  });
});
