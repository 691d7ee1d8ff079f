// The Prometheus signal wired into the control loop: a Controller over a fake registry, fake
// instances (ready, no direct traffic) and a fake Prometheus, with no etcd and no processes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { Registry } from 'prom-client';
import { serviceConfigSchema, validateConfig } from '@brewops/platform';
import type { Discovery, InstanceInfo } from '@brewops/platform';
import { configShape } from '../../src/config.js';
import type { ControllerConfig } from '../../src/config.js';
import { Controller } from '../../src/controller.js';
import { createControllerMetrics } from '../../src/controller-metrics.js';
import type { EngineEvent } from '../../src/engine.js';
import type { Recorder } from '../../src/recorder.js';
import { FakePrometheus } from './fake-prometheus.js';

const silent = { info() {}, warn() {}, error() {} };

/** The registry as the controller reads it: list, a watch per service, overrides. */
function fakeDiscovery(instances: InstanceInfo[]): { discovery: Discovery; overrides: Map<string, string | null> } {
  const overrides = new Map<string, string | null>();
  const discovery = {
    list: async () => instances.map((i) => ({ ...i, override: overrides.get(`${i.service}/${i.instanceId}`) ?? null })),
    watch: async (service: string) => Object.assign(new EventEmitter(), {
      all: () => instances.filter((i) => i.service === service).map((i) => ({ ...i, override: overrides.get(`${i.service}/${i.instanceId}`) ?? null })),
      close: async () => {},
    }),
    setOverride: async (service: string, id: string, value: string | null) => void overrides.set(`${service}/${id}`, value),
  };
  return { discovery: discovery as unknown as Discovery, overrides };
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(ok(), `timed out waiting for ${what}`);
}

describe('Controller with the Prometheus signal', () => {
  let prom: FakePrometheus;
  let instance: Server;
  let port = 0;
  before(async () => {
    prom = new FakePrometheus();
    await prom.listen();
    // ready, and a /metrics with no requests: the direct traffic path has nothing to say
    instance = createServer((req, res) => res.writeHead(200).end(req.url === '/metrics' ? '' : '{"status":"ready"}'));
    await new Promise<void>((r) => instance.listen(0, '127.0.0.1', r));
    port = (instance.address() as AddressInfo).port;
  });
  after(async () => {
    await prom.close();
    instance.closeAllConnections();
    await new Promise((r) => instance.close(r));
  });

  it('reroutes on prom_error_ratio (the timeline names the source), then leaves the instance out of traffic unjudged', async () => {
    const registeredAt = new Date(Date.now() - 3_600_000).toISOString();
    const info = (id: string): InstanceInfo => ({ service: 'member', instanceId: id, host: '127.0.0.1', port, version: '1', zone: 'a', registeredAt });
    const { discovery, overrides } = fakeDiscovery([info('member-1'), info('member-2'), info('member-3')]);
    const parsed = validateConfig(serviceConfigSchema(configShape), { rules: { restartAfterMs: 600_000 } });
    assert.ok(parsed.ok);
    const base = parsed.value as unknown as ControllerConfig;
    // a 1 s window (the schema's minimum is 10 s) keeps the test short: judged from ~2 s after start
    const config: ControllerConfig = { ...base, prometheus: { ...base.prometheus, url: prom.url, intervalMs: 50, window: '1s' } };
    prom.fixed.set('member/member-1', { requests: 100, errors: 80, seconds: 5 });
    prom.fixed.set('member/member-2', { requests: 100, errors: 0, seconds: 5 });
    const events: EngineEvent[] = [];
    const recorder = { record: (e: EngineEvent) => void events.push(e), contextFor: () => ROOT_CONTEXT, forgotten: () => {} } as unknown as Recorder;
    const metrics = createControllerMetrics(new Registry());
    const c = new Controller({
      discovery, actuator: { kind: 'fake', restart: async () => {} } as never, config: () => config,
      self: 'controller', logger: silent, metrics, recorder: () => recorder,
    });
    await c.start();
    try {
      await until('member-1 rerouted', () => overrides.get('member/member-1') === 'OUT_OF_SERVICE');
      const m1 = events.filter((e) => e.instanceId === 'member-1');
      assert.ok(m1.some((e) => e.type === 'alert' && e.detail === 'prom_error_ratio firing'), 'the timeline says which source saw it');
      assert.match(m1.find((e) => e.type === 'decision')?.detail ?? '', /alert prom_error_ratio/);
      assert.ok(!events.some((e) => e.instanceId === 'member-2' && e.type === 'alert'), 'member-2 is within the thresholds');
      assert.equal(overrides.get('member/member-2'), undefined);

      // Prometheus now says member-1 is fine; but it is out of traffic, so it is not judged at all
      // (its signal is cleared by a restart, not by an idle window): no "resolved" for it.
      prom.fixed.set('member/member-1', { requests: 100, errors: 0, seconds: 5 });
      const n = prom.queries.length;
      await until('six more polls', () => prom.queries.length >= n + 18);
      assert.ok(!events.some((e) => e.instanceId === 'member-1' && e.detail === 'prom_error_ratio resolved'));
      assert.equal(c.engine.snapshot().find((s) => s.instanceId === 'member-1')?.state, 'rerouted');
      const ok = (await metrics.prometheusQueries.get()).values.find((v) => v.labels['result'] === 'ok')?.value ?? 0;
      assert.ok(ok >= 18);
    } finally {
      await c.stop();
    }
  });
});
