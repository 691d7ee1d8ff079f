import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Router from '@koa/router';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import Koa from 'koa';
import { register as globalRegistry } from 'prom-client';
import request from 'supertest';
import { ensureContextManager } from '../../src/correlation.js';
import {
  acceptsOpenMetrics,
  createMetrics,
  metricsHandler,
  metricsMiddleware,
  observeHttpRequest,
  openMetricsToPrometheusText,
  type Metrics,
} from '../../src/metrics/index.js';
import { METRIC_HTTP_SERVER_DURATION } from '../../src/semconv.js';

const OM_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

function appWith(metrics: Metrics): Koa {
  const app = new Koa();
  app.use(metricsMiddleware(metrics));
  const router = new Router();
  router.get('/v1/items/:id', (ctx) => {
    ctx.body = { id: ctx.params['id'] };
  });
  router.get('/metrics', metricsHandler(metrics));
  app.use(router.routes());
  return app;
}

function labelValues(exposition: string, metric: string): string[] {
  return exposition
    .split('\n')
    .filter((l) => l.startsWith(metric))
    .flatMap((l) => [...(l.split(' # ')[0] ?? '').matchAll(/="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? ''));
}

describe('createMetrics', () => {
  it('uses its own registry with default metrics, never the global one', async () => {
    const before = (await globalRegistry.getMetricsAsJSON()).length;
    const metrics = createMetrics({ service: 's', instanceId: 'i' });
    const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    assert.ok(names.includes('process_cpu_user_seconds_total') || names.includes('process_cpu_user_seconds'));
    assert.ok(names.includes('nodejs_eventloop_lag_seconds'));
    assert.ok(names.includes(METRIC_HTTP_SERVER_DURATION));
    assert.equal((await globalRegistry.getMetricsAsJSON()).length, before);
  });

  it('labels requests by route TEMPLATE, never the raw path; unmatched → "unmatched"', async () => {
    const metrics = createMetrics({ service: 's', instanceId: 'i', defaultMetrics: false });
    const app = appWith(metrics);
    await request(app.callback()).get('/v1/items/42').expect(200);
    await request(app.callback()).get('/v1/items/43').expect(200);
    await request(app.callback()).get('/nope/77').expect(404);
    const res = await request(app.callback()).get('/metrics').expect(200);
    const values = labelValues(res.text, METRIC_HTTP_SERVER_DURATION);
    assert.ok(values.includes('/v1/items/:id'));
    assert.ok(values.includes('unmatched'));
    for (const raw of ['42', '43', '77', '/v1/items/42', '/nope/77']) assert.ok(!values.includes(raw), `raw ${raw} in labels`);
    assert.match(res.text, /http_server_request_duration_seconds_count\{method="GET",route="\/v1\/items\/:id",status_code="200"\} 2/);
    assert.match(res.text, /http_server_request_duration_seconds_bucket\{le="0.001",/);
    assert.match(res.text, /http_server_request_duration_seconds_bucket\{le="10",/);
  });

  it('serves OpenMetrics (with # EOF) only when asked for, else the text format; Content-Type matches', async () => {
    const metrics = createMetrics({ service: 's', instanceId: 'i' });
    const app = appWith(metrics);
    await request(app.callback()).get('/v1/items/1');
    const om = await request(app.callback()).get('/metrics').set('accept', OM_ACCEPT).expect(200);
    assert.equal(om.headers['content-type'], 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    assert.ok(om.text.endsWith('# EOF\n'));
    assert.match(om.text, /^# TYPE process_cpu_user_seconds counter$/m);
    assert.match(om.text, /^process_cpu_user_seconds_total /m);
    const text = await request(app.callback()).get('/metrics').expect(200);
    assert.equal(text.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.ok(!text.text.includes('# EOF'));
    assert.match(text.text, /^# TYPE process_cpu_user_seconds_total counter$/m);
    assert.match(text.text, /^process_cpu_user_seconds_total /m);
    const names = (s: string): string[] =>
      [...new Set(s.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0] ?? ''))].sort();
    assert.deepEqual(names(text.text), names(om.text), 'both formats expose the same sample names');
  });

  it('attaches the trace_id of a sampled active span as an exemplar (OpenMetrics only)', async () => {
    ensureContextManager();
    const metrics = createMetrics({ service: 's', instanceId: 'i', defaultMetrics: false });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const sampled = trace.wrapSpanContext({ traceId, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });
    const unsampled = trace.wrapSpanContext({ traceId: '1'.repeat(32), spanId: 'b7ad6b7169203332', traceFlags: TraceFlags.NONE });
    const labels = { method: 'GET', route: '/x', status_code: '200' };
    context.with(trace.setSpan(context.active(), sampled), () => observeHttpRequest(metrics, labels, 0.003));
    context.with(trace.setSpan(context.active(), unsampled), () => observeHttpRequest(metrics, labels, 20));
    observeHttpRequest(metrics, labels, 0.2);
    const om = await metrics.registry.metrics();
    assert.match(om, new RegExp(`le="0.005",method="GET",route="/x",status_code="200"\\} 1 # \\{trace_id="${traceId}"\\} 0.003 \\d+(\\.\\d+)?$`, 'm'));
    assert.ok(!om.includes('1'.repeat(32)), 'no exemplar for an unsampled trace');
    const text = openMetricsToPrometheusText(om);
    assert.ok(!text.includes('trace_id'));
    assert.match(text, /le="0.005",method="GET",route="\/x",status_code="200"\} 1$/m);
  });

  it('without exemplars uses the text format throughout', async () => {
    const metrics = createMetrics({ service: 's', instanceId: 'i', exemplars: false, defaultMetrics: false });
    const app = appWith(metrics);
    await request(app.callback()).get('/v1/items/1');
    const res = await request(app.callback()).get('/metrics').set('accept', OM_ACCEPT).expect(200);
    assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.match(res.text, /route="\/v1\/items\/:id"/);
  });
});

describe('exposition helpers', () => {
  it('acceptsOpenMetrics honours q=0 and plain Accept headers', () => {
    assert.equal(acceptsOpenMetrics(OM_ACCEPT), true);
    assert.equal(acceptsOpenMetrics('application/openmetrics-text; version=1.0.0'), true);
    assert.equal(acceptsOpenMetrics('application/openmetrics-text;q=0, text/plain'), false);
    assert.equal(acceptsOpenMetrics('*/*'), false);
    assert.equal(acceptsOpenMetrics(undefined), false);
  });

  it('strips exemplars but never touches label values that look like one', () => {
    const om = [
      '# HELP jobs_done Jobs.',
      '# TYPE jobs_done counter',
      'jobs_done_total{name="a # {b=\\"c\\"} 1 2"} 3 # {trace_id="abc"} 1 1700000000.1',
      'jobs_done_total{name="plain"} 4',
      '# EOF',
      '',
    ].join('\n');
    assert.equal(
      openMetricsToPrometheusText(om),
      [
        '# HELP jobs_done_total Jobs.',
        '# TYPE jobs_done_total counter',
        'jobs_done_total{name="a # {b=\\"c\\"} 1 2"} 3',
        'jobs_done_total{name="plain"} 4',
        '',
      ].join('\n'),
    );
  });
});
