import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serviceConfigSchema, validateConfig } from '@brewops/platform';
import { configShape, parseDurationMs } from '../../src/config.js';
import type { PrometheusSignalConfig } from '../../src/config.js';
import { PrometheusSignal, promQueries } from '../../src/prometheus-signal.js';
import type { PrometheusTarget, PrometheusVerdict, QueryResult } from '../../src/prometheus-signal.js';
import { FakePrometheus } from './fake-prometheus.js';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const silentWarn = (): { warns: string[]; infos: string[]; info(o: object, m?: string): void; warn(o: object, m?: string): void } => {
  const l = { warns: [] as string[], infos: [] as string[], info: (_o: object, m?: string) => void l.infos.push(m ?? ''), warn: (_o: object, m?: string) => void l.warns.push(m ?? '') };
  return l;
};

function setup(url: string, targets: () => PrometheusTarget[], over: Partial<PrometheusSignalConfig> = {}) {
  let now = T0;
  const verdicts: PrometheusVerdict[] = [];
  const cleared: string[] = [];
  const results: QueryResult[] = [];
  const logger = silentWarn();
  const cfg = {
    prometheus: { enabled: true, url, intervalMs: 5000, timeoutMs: 300, window: '30s', minRequests: 10, ...over },
    traffic: { maxErrorRatio: 0.5, maxMeanLatencyMs: 1000 },
  };
  const signal = new PrometheusSignal({
    config: () => cfg,
    targets,
    verdict: (v) => verdicts.push(v),
    clear: (service, id) => cleared.push(`${service}/${id}`),
    logger,
    queries: { inc: ({ result }) => results.push(result) },
    now: () => now,
  });
  return { signal, verdicts, cleared, results, logger, cfg, at: (t: number) => void (now = t) };
}

const member1 = (since = T0 - 3_600_000): PrometheusTarget => ({ service: 'member', instanceId: 'member-1', since });

describe('Prometheus signal', () => {
  let prom: FakePrometheus;
  before(async () => {
    prom = new FakePrometheus();
    await prom.listen();
  });
  after(async () => prom.close());

  it('queries the own-5xx share and mean latency of user routes, per (service, instance_id)', () => {
    const q = promQueries('30s');
    assert.equal(q.requests, 'sum by (service, instance_id) (increase(http_server_request_duration_seconds_count{instance_id!="", route!~"/metrics|/health/.*"}[30s]))');
    assert.equal(q.errors, 'sum by (service, instance_id) (increase(http_server_request_duration_seconds_count{instance_id!="", route!~"/metrics|/health/.*", status_code=~"5..", status_code!~"50[234]"}[30s]))');
    assert.equal(q.seconds, 'sum by (service, instance_id) (increase(http_server_request_duration_seconds_sum{instance_id!="", route!~"/metrics|/health/.*"}[30s]))');
  });

  it('raises on a high error ratio, clears when the window is good again', async () => {
    prom.samples.length = 0;
    prom.queries.length = 0;
    const { signal, verdicts, results, at } = setup(prom.url, () => [member1()]);
    // 40 s of 20 requests per scrape, 15 of them failing, 0.1 s each
    prom.scrape('member', 'member-1', T0 - 40_000, T0, { requests: 20, errors: 15, seconds: 2 });
    await signal.poll();
    assert.deepEqual(results, ['ok', 'ok', 'ok']);
    assert.equal(prom.queries[0]!.time, T0, 'the window ends at the controller\'s now, sent as `time`');
    assert.equal(verdicts.length, 1);
    const v = verdicts[0]!;
    assert.deepEqual([v.service, v.instanceId, v.errors, v.slow, v.requests, v.errorRatio, Math.round(v.meanLatencyMs)], ['member', 'member-1', true, false, 100, 0.75, 100]);
    // the next 30 s serve well
    const last = prom.samples.at(-1)!;
    prom.scrape('member', 'member-1', T0 + 5000, T0 + 35_000, { requests: 20, errors: 0, seconds: 2 }, { requests: last.requests + 20, errors: last.errors, seconds: last.seconds + 2 });
    at(T0 + 35_000);
    await signal.poll();
    assert.deepEqual([verdicts[1]!.errors, verdicts[1]!.slow, verdicts[1]!.errorRatio], [false, false, 0]);
  });

  it('raises on a high mean latency (the latency threshold is traffic.maxMeanLatencyMs)', async () => {
    prom.samples.length = 0;
    const { signal, verdicts } = setup(prom.url, () => [member1()]);
    prom.scrape('member', 'member-1', T0 - 30_000, T0, { requests: 10, errors: 0, seconds: 15 });
    await signal.poll();
    assert.deepEqual(verdicts.map((v) => [v.errors, v.slow, v.meanLatencyMs]), [[false, true, 1500]]);
  });

  it('gives no verdict below prometheus.minRequests, and none for instances it was not asked about', async () => {
    prom.samples.length = 0;
    const { signal, verdicts, cfg } = setup(prom.url, () => [member1()]);
    prom.scrape('member', 'member-1', T0 - 30_000, T0, { requests: 1, errors: 1, seconds: 0.1 }); // 5 requests in the window, all failing
    prom.scrape('member', 'member-9', T0 - 30_000, T0, { requests: 20, errors: 20, seconds: 1 });
    await signal.poll();
    assert.equal(verdicts.length, 0, '5 < 10 requests: idle, no verdict; member-9 is not a target');
    cfg.prometheus.minRequests = 5;
    await signal.poll();
    assert.deepEqual(verdicts.map((v) => [v.instanceId, v.errors, v.requests]), [['member-1', true, 5]]);
  });

  it('a restarted instance (same instance_id) is not judged on its predecessor\'s series', async () => {
    prom.samples.length = 0;
    prom.queries.length = 0;
    const registeredAt = T0 - 10_000;
    const { signal, verdicts, at } = setup(prom.url, () => [member1(registeredAt)]);
    // the old process failed everything until it was restarted 12 s ago; the new one serves well
    prom.scrape('member', 'member-1', T0 - 60_000, T0 - 15_000, { requests: 20, errors: 20, seconds: 1 });
    prom.scrape('member', 'member-1', registeredAt + 2000, T0 + 40_000, { requests: 20, errors: 0, seconds: 1 });
    assert.ok(prom.evaluate(promQueries('30s').errors, T0).some((r) => Number(r.value[1]) > 0), 'a 30 s window at T0 would include the old process\' failures');
    await signal.poll();
    assert.equal(prom.queries.length, 0, 'no query: no target has had a whole window since its registration');
    assert.equal(verdicts.length, 0);
    at(registeredAt + 30_000); // whole window after the registration, but within the clock margin
    await signal.poll();
    assert.equal(verdicts.length, 0);
    at(registeredAt + 31_000);
    await signal.poll();
    assert.deepEqual(verdicts.map((v) => [v.errors, v.errorRatio]), [[false, 0]], 'judged on the new process only');
    assert.ok(prom.queries.every((q) => q.time - 30_000 >= registeredAt));
  });

  it('a reinstated instance is judged only on traffic served since (verification is not fooled)', async () => {
    prom.samples.length = 0;
    const reinstatedAt = T0 - 5000;
    const { signal, verdicts, at } = setup(prom.url, () => [member1(reinstatedAt)]);
    // failing until rerouted at T0 − 20 s, no traffic while rerouted, good since the reinstatement
    prom.scrape('member', 'member-1', T0 - 60_000, T0 - 20_000, { requests: 20, errors: 20, seconds: 1 });
    const last = prom.samples.at(-1)!;
    prom.scrape('member', 'member-1', reinstatedAt, T0 + 60_000, { requests: 20, errors: 0, seconds: 1 }, last);
    await signal.poll();
    at(T0 + 20_000);
    await signal.poll();
    assert.equal(verdicts.length, 0, 'within one window of the reinstatement: no verdict either way');
    at(reinstatedAt + 31_000);
    await signal.poll();
    assert.deepEqual(verdicts.map((v) => v.errors), [false]);
  });

  it('Prometheus unreachable, failing or hanging: no crash, counted, one warning per outage', async () => {
    const closed = new FakePrometheus();
    await closed.listen();
    const deadUrl = closed.url;
    await closed.close(); // nothing listens there now
    const down = setup(deadUrl, () => [member1()]);
    await down.signal.poll();
    await down.signal.poll();
    assert.deepEqual(down.results, Array(6).fill('unreachable'));
    assert.equal(down.logger.warns.length, 1, 'once per outage, not per poll');
    assert.match(down.logger.warns[0]!, /Prometheus query failed/);
    assert.equal(down.verdicts.length, 0);

    prom.samples.length = 0;
    prom.scrape('member', 'member-1', T0 - 30_000, T0, { requests: 20, errors: 20, seconds: 1 });
    const s = setup(prom.url, () => [member1()]);
    prom.mode = 'error';
    await s.signal.poll();
    prom.mode = 'hang';
    await s.signal.poll();
    prom.mode = 'ok';
    assert.deepEqual(s.results, ['error', 'error', 'error', 'timeout', 'timeout', 'timeout']);
    assert.equal(s.logger.warns.length, 1);
    assert.equal(s.verdicts.length, 0);
    await s.signal.poll();
    assert.deepEqual(s.logger.infos, ['controller: Prometheus answers again; its signal resumes']);
    assert.deepEqual(s.verdicts.map((v) => v.errors), [true], 'verdicts resume with Prometheus');
  });

  it('off (prometheus.enabled: false): no query, its signals cleared once', async () => {
    prom.queries.length = 0;
    const { signal, cleared, verdicts, cfg } = setup(prom.url, () => [member1()]);
    cfg.prometheus.enabled = false;
    await signal.poll();
    await signal.poll();
    assert.deepEqual(cleared, ['member/member-1']);
    assert.equal(prom.queries.length, 0);
    assert.equal(verdicts.length, 0);
  });

  it('the timer runs polls on its own and stops', async () => {
    prom.queries.length = 0;
    prom.samples.length = 0;
    const s = setup(prom.url, () => [member1()], { intervalMs: 20 });
    s.signal.start();
    while (prom.queries.length < 6) await new Promise((r) => setTimeout(r, 10));
    s.signal.stop();
    const n = prom.queries.length;
    await new Promise((r) => setTimeout(r, 60));
    assert.ok(prom.queries.length <= n + 3, 'at most the poll in flight finishes');
  });
});

describe('prometheus config', () => {
  it('defaults, and a window of at least 2 scrape intervals (10s)', () => {
    const schema = serviceConfigSchema(configShape);
    const ok = validateConfig(schema, {});
    assert.ok(ok.ok);
    const p = (ok.value as unknown as { prometheus: PrometheusSignalConfig }).prometheus;
    assert.deepEqual(p, { enabled: true, url: process.env['PROMETHEUS_URL'] ?? 'http://127.0.0.1:9090', intervalMs: 5000, timeoutMs: 2000, window: '30s', minRequests: 10 });
    assert.ok(validateConfig(schema, { prometheus: { window: '1m30s' } }).ok);
    for (const window of ['5s', '30', 'abc', '9999ms']) assert.equal(validateConfig(schema, { prometheus: { window } }).ok, false, window);
    assert.equal(validateConfig(schema, { prometheus: { url: 'not a url' } }).ok, false);
    assert.deepEqual(['30s', '1m', '1m30s', '500ms', '2h', 'x'].map(parseDurationMs), [30_000, 60_000, 90_000, 500, 7_200_000, Number.NaN]);
  });
});
