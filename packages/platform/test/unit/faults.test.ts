import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Router from '@koa/router';
import request from 'supertest';
import { validateConfig, serviceConfigSchema } from '../../src/config/index.js';
import type { FaultsConfig } from '../../src/config/index.js';
import { faultMiddleware } from '../../src/faults/index.js';
import { createApp, Readiness } from '../../src/http/index.js';
import { createLogger } from '../../src/log/index.js';
import { createMetrics } from '../../src/metrics/index.js';

function faults(raw: unknown): FaultsConfig {
  const r = validateConfig(serviceConfigSchema(), { faults: raw });
  assert.ok(r.ok);
  return r.value.faults;
}

function setup(current: { faults: FaultsConfig }, random = () => 0) {
  const logger = createLogger({ service: 'items', instanceId: 'items-1', level: 'silent', destination: { write: () => undefined } });
  const metrics = createMetrics({ service: 'items', instanceId: 'items-1', defaultMetrics: false });
  const app = createApp({ service: 'items', instanceId: 'items-1', logger, metrics, readiness: new Readiness() });
  app.use(faultMiddleware({ faults: () => current.faults, instanceId: 'items-1', registry: metrics.registry, random }));
  const router = new Router();
  router.get('/v1/items', (ctx) => void (ctx.body = { ok: true }));
  app.use(router.routes());
  return app.callback();
}

describe('fault middleware', () => {
  it('answers 500 injected_fault for errorRatio 1 and recovers when the config changes back', async () => {
    const current = { faults: faults({ errorRatio: 1 }) };
    const app = setup(current);
    const res = await request(app).get('/v1/items');
    assert.equal(res.status, 500);
    assert.equal(res.body.error.code, 'injected_fault');
    assert.equal(res.headers['x-brewops-fault'], 'error');
    current.faults = faults({});
    assert.equal((await request(app).get('/v1/items')).status, 200);
  });

  it('never touches /health/live and /metrics', async () => {
    const app = setup({ faults: faults({ errorRatio: 1, latencyMs: 300 }) });
    const t0 = Date.now();
    assert.equal((await request(app).get('/health/live')).status, 200);
    assert.equal((await request(app).get('/metrics')).status, 200);
    assert.ok(Date.now() - t0 < 250, 'no latency added to exempt paths');
  });

  it('applies the ratio (random below it fails, above it passes)', async () => {
    const current = { faults: faults({ errorRatio: 0.3 }) };
    assert.equal((await request(setup(current, () => 0.29)).get('/v1/items')).status, 500);
    assert.equal((await request(setup(current, () => 0.31)).get('/v1/items')).status, 200);
  });

  it('adds latency and lets a per-instance override win', async () => {
    const app = setup({ faults: faults({ latencyMs: 0, instances: { 'items-1': { latencyMs: 120 }, 'items-2': { errorRatio: 1 } } }) });
    const t0 = Date.now();
    const res = await request(app).get('/v1/items');
    assert.equal(res.status, 200);
    assert.ok(Date.now() - t0 >= 115, `took ${Date.now() - t0} ms`);
  });
});
