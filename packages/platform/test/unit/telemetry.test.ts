/**
 * Tracing end to end in one process: the SDK pieces are built by startTelemetry (not the
 * env-driven register) with an in-memory exporter next to two Zipkin exporters, one pointed at a
 * closed port and one at a server that accepts connections and never answers. The SDK starts
 * before koa, pino and the platform's http modules are loaded, as `node --import register.js`
 * does, so the instrumentations patch them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, diag, DiagLogLevel, SpanKind } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Context } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { InstanceInfo } from '../../src/discovery/types.js';
import { getTracer, isTelemetryRegistered, shutdownTelemetry } from '../../src/telemetry/index.js';
import { createZipkinSpanProcessor, startTelemetry } from '../../src/telemetry/sdk.js';

const warnings: string[] = [];
const ignore = (): void => {};
diag.setLogger({ error: (m) => void warnings.push(m), warn: (m) => void warnings.push(m), info: ignore, debug: ignore, verbose: ignore }, DiagLogLevel.WARN);

/** A processor whose target is set once the black-hole server has a port. */
class LateSpanProcessor implements SpanProcessor {
  target: SpanProcessor | undefined;
  onStart(span: Span, parent: Context): void {
    this.target?.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    this.target?.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.target?.forceFlush() ?? Promise.resolve();
  }
  shutdown(): Promise<void> {
    return this.target?.shutdown() ?? Promise.resolve();
  }
}

const memory = new InMemorySpanExporter();
const blackHoleZipkin = new LateSpanProcessor();
startTelemetry({
  service: 'items',
  instanceId: 'items-1',
  version: '1.2.3',
  zipkinUrl: 'http://127.0.0.1:9/api/v2/spans', // discard port: nothing listens, connections are refused
  spanProcessors: [new SimpleSpanProcessor(memory), blackHoleZipkin],
});

// Loaded only now, so that the instrumentations patch koa and pino.
/* eslint-disable @typescript-eslint/no-require-imports */
const { default: Router } = require('@koa/router') as typeof import('@koa/router');
const { createApp, listen, Readiness } = require('../../src/http/index.js') as typeof import('../../src/http/index.js');
const { createLogger } = require('../../src/log/index.js') as typeof import('../../src/log/index.js');
const { createMetrics } = require('../../src/metrics/index.js') as typeof import('../../src/metrics/index.js');
const { ServiceClient } = require('../../src/client/index.js') as typeof import('../../src/client/index.js');
const self = (): InstanceInfo[] => [{ service: 'items', instanceId: 'items-1', host: '127.0.0.1', port: Number(new URL(base).port), version: '0', zone: 'local', registeredAt: new Date().toISOString() }];
const items = new ServiceClient({ instances: self }, { service: 'items' });

const TRACE_B3 = '463ac35c9f6413ad48485a3953bb6124';
const TRACE_W3C = '0af7651916cd43dd8448eb211c80319c';

let server: Server;
let blackHole: TcpServer;
const blackHoleSockets = new Set<Socket>();
let blackHoleUrl = '';
let base = '';
const logLines: string[] = [];

function serverSpans(): ReadableSpan[] {
  return memory.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);
}

/** Server spans of these paths, in request order, once all have ended (they end after the response). */
async function serverSpansFor(...paths: string[]): Promise<ReadableSpan[]> {
  const deadline = Date.now() + 2_000;
  for (;;) {
    const found = paths.map((p) => serverSpans().find((s) => s.attributes['url.path'] === p));
    if (found.every((s) => s !== undefined)) return found as ReadableSpan[];
    if (Date.now() > deadline) throw new Error(`no server span for ${paths.filter((_, i) => !found[i]).join(', ')}`);
    await sleep(5);
  }
}

/** A request from an untraced client: the test's own fetch must not inject trace headers. */
async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  const res = await context.with(suppressTracing(context.active()), () => fetch(`${base}${path}`, { headers }));
  const body = await res.arrayBuffer();
  return new Response(body, { status: res.status, headers: res.headers });
}

before(async () => {
  // Accepts connections, reads, never answers: an exporter that waited on it would hang requests.
  blackHole = createTcpServer((socket) => {
    blackHoleSockets.add(socket);
    socket.on('error', () => undefined);
    socket.resume();
  });
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  blackHoleUrl = `http://127.0.0.1:${(blackHole.address() as { port: number }).port}/api/v2/spans`;
  blackHoleZipkin.target = createZipkinSpanProcessor(blackHoleUrl, { exportTimeoutMillis: 300 });

  const logger = createLogger({ service: 'items', instanceId: 'items-1', destination: { write: (s: string) => void logLines.push(s) } });
  const metrics = createMetrics({ service: 'items', instanceId: 'items-1', defaultMetrics: false });
  const app = createApp({ service: 'items', instanceId: 'items-1', logger, metrics, readiness: new Readiness() });
  const router = new Router();
  router.get('/v1/items/:id', (ctx) => {
    logger.info('reading item');
    ctx.body = { id: ctx.params['id'] };
  });
  router.get('/v1/boom', () => {
    throw new Error('boom');
  });
  router.get('/v1/slow', async (ctx) => {
    await sleep(300);
    ctx.body = { late: true };
  });
  router.get('/v1/echo', (ctx) => {
    ctx.body = ctx.headers;
  });
  router.get('/v1/hop', async (ctx) => {
    const res = await fetch(`${base}/v1/echo`);
    ctx.body = await res.json();
  });
  // the same hop through a service client (its own client span; the undici instrumentation skips it)
  router.get('/v1/hop-client', async (ctx) => {
    const res = await items.request({ method: 'GET', path: '/v1/echo?email=jane%40example.com' });
    ctx.body = res.body;
  });
  app.use(router.routes());
  ({ server } = await listen(app, { host: '127.0.0.1', port: 0 }).then((r) => {
    base = `http://127.0.0.1:${r.port}`;
    return r;
  }));
});

after(async () => {
  await items.close();
  server.close();
  server.closeAllConnections();
  await shutdownTelemetry();
  for (const socket of blackHoleSockets) socket.destroy();
  blackHole.close();
});

describe('telemetry', () => {
  it('a Koa request produces a server span named by route, with the correlation ID and the service resource', async () => {
    memory.reset();
    const res = await get('/v1/items/42', { 'x-correlation-id': 'corr-tel-1' });
    assert.equal(res.status, 200);
    const [span] = await serverSpansFor('/v1/items/42');
    assert.ok(span);
    assert.equal(span.name, 'GET /v1/items/:id');
    assert.equal(span.attributes['http.route'], '/v1/items/:id');
    assert.equal(span.attributes['http.response.status_code'], 200);
    assert.equal(span.attributes['brewops.correlation_id'], 'corr-tel-1');
    assert.equal(span.resource.attributes['service.name'], 'items');
    assert.equal(span.resource.attributes['service.instance.id'], 'items-1');
    assert.equal(span.resource.attributes['service.version'], '1.2.3');
    // what every exported span carries besides: no command line (it can hold a secret), no host id
    assert.deepEqual(Object.keys(span.resource.attributes).sort(), [
      'host.name', 'process.pid', 'process.runtime.name', 'process.runtime.version',
      'service.instance.id', 'service.name', 'service.version',
    ]);
    assert.equal(span.resource.attributes['process.pid'], process.pid);
    assert.equal(isTelemetryRegistered(), true);
  });

  it('one SERVER span a request, with the stable HTTP attributes and no query string', async () => {
    memory.reset();
    const res = await get('/v1/items/7?email=jane%40example.com&card=4111111111111111', {
      'user-agent': 'probe/1.0',
      'x-forwarded-for': '203.0.113.9, 10.0.0.1',
    });
    assert.equal(res.status, 200);
    const [span] = await serverSpansFor('/v1/items/7');
    assert.ok(span);
    await sleep(50); // a second server span (an instrumentation that was not turned off) would end by now
    assert.equal(serverSpans().length, 1, `server spans: ${serverSpans().map((x) => `${x.name} (${x.instrumentationScope.name})`).join(', ')}`);
    const port = Number(new URL(base).port);
    assert.deepEqual(
      Object.fromEntries(Object.entries(span.attributes).filter(([k]) => k !== 'network.peer.port' && k !== 'brewops.correlation_id')),
      {
        'http.request.method': 'GET',
        'url.path': '/v1/items/7',
        'url.scheme': 'http',
        'network.protocol.version': '1.1',
        'server.address': '127.0.0.1',
        'server.port': port,
        'network.peer.address': '127.0.0.1',
        'client.address': '203.0.113.9',
        'user_agent.original': 'probe/1.0',
        'http.response.status_code': 200,
        'http.route': '/v1/items/:id',
      },
    );
    assert.equal(typeof span.attributes['network.peer.port'], 'number');
    assert.ok(!JSON.stringify(span.attributes).includes('jane'), 'the query (PII) stays out of the span');
    assert.equal(span.status.code, 0, 'unset status on a 2xx');
  });

  it('a 5xx answer makes an ERROR server span; an unmatched path keeps the bare method as its name', async () => {
    memory.reset();
    assert.equal((await get('/v1/boom')).status, 500);
    assert.equal((await get('/v1/nowhere')).status, 404);
    const [boom, nowhere] = await serverSpansFor('/v1/boom', '/v1/nowhere');
    assert.ok(boom && nowhere);
    assert.equal(boom.name, 'GET /v1/boom');
    assert.equal(boom.attributes['http.response.status_code'], 500);
    assert.equal(boom.status.code, 2, 'ERROR');
    assert.equal(nowhere.name, 'GET');
    assert.equal(nowhere.attributes['http.route'], undefined);
    assert.equal(nowhere.attributes['http.response.status_code'], 404);
    assert.equal(nowhere.status.code, 0);
  });

  it('a request the client abandons still ends its server span', async () => {
    memory.reset();
    const controller = new AbortController();
    const pending = context.with(suppressTracing(context.active()), () => fetch(`${base}/v1/slow`, { signal: controller.signal })).catch(() => undefined);
    await sleep(50);
    controller.abort();
    await pending;
    const [span] = await serverSpansFor('/v1/slow');
    assert.ok(span);
    assert.equal(span.name, 'GET /v1/slow');
  });

  it('health and metrics requests are not traced', async () => {
    memory.reset();
    await get('/health/live');
    await get('/health/ready');
    await get('/metrics');
    await get('/v1/items/after-probes');
    await serverSpansFor('/v1/items/after-probes');
    const probes = serverSpans().filter((s) => /^\/(health|metrics)/.test(String(s.attributes['url.path'])));
    assert.deepEqual(probes, []);
  });

  it('extracts B3 (multi and single header) and W3C traceparent; traceparent wins when both are sent', async () => {
    memory.reset();
    await get('/v1/items/1', { 'x-b3-traceid': TRACE_B3, 'x-b3-spanid': '0020000000000001', 'x-b3-sampled': '1' });
    await get('/v1/items/2', { b3: `${TRACE_B3}-0020000000000002-1` });
    await get('/v1/items/3', { traceparent: `00-${TRACE_W3C}-b7ad6b7169203331-01` });
    await get('/v1/items/4', {
      traceparent: `00-${TRACE_W3C}-b7ad6b7169203332-01`,
      'x-b3-traceid': TRACE_B3,
      'x-b3-spanid': '0020000000000003',
      'x-b3-sampled': '1',
    });
    const spans = await serverSpansFor('/v1/items/1', '/v1/items/2', '/v1/items/3', '/v1/items/4');
    const parents = spans.map((s) => [s.spanContext().traceId, s.parentSpanContext?.spanId]);
    assert.deepEqual(parents, [
      [TRACE_B3, '0020000000000001'],
      [TRACE_B3, '0020000000000002'],
      [TRACE_W3C, 'b7ad6b7169203331'],
      [TRACE_W3C, 'b7ad6b7169203332'],
    ]);
  });

  it('outgoing calls carry traceparent, B3 headers and the correlation ID in baggage', async () => {
    memory.reset();
    const res = await get('/v1/hop', { 'x-correlation-id': 'corr-hop-7' });
    const seen = (await res.json()) as Record<string, string>;
    const [inbound, echo] = await serverSpansFor('/v1/hop', '/v1/echo');
    assert.ok(inbound && echo);
    const traceId = inbound.spanContext().traceId;
    assert.match(seen['traceparent'] ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    assert.equal(seen['x-b3-traceid'], traceId);
    assert.ok(seen['x-b3-spanid']);
    assert.match(seen['baggage'] ?? '', /(^|,)\s*correlation\.id=corr-hop-7(\s*[,;]|$)/);
    // the downstream request joined the same trace and kept the correlation ID
    assert.equal(echo.spanContext().traceId, traceId);
    assert.equal(echo.attributes['brewops.correlation_id'], 'corr-hop-7');
  });

  it('a service client call has one CLIENT span between the two server spans, and carries its context', async () => {
    memory.reset();
    const res = await get('/v1/hop-client', { 'x-correlation-id': 'corr-hop-8' });
    assert.equal(res.status, 200);
    const seen = (await res.json()) as Record<string, string>;
    const [inbound, echo] = await serverSpansFor('/v1/hop-client', '/v1/echo');
    assert.ok(inbound && echo);
    const clients = memory.getFinishedSpans().filter((x) => x.kind === SpanKind.CLIENT);
    assert.equal(clients.length, 1, `one client span, not one per instrumentation: ${clients.map((c) => c.instrumentationScope.name).join(', ')}`);
    const client = clients[0]!;
    assert.equal(client.name, 'GET');
    // under the inbound server span (through the Koa router layer's span)
    const byId = new Map(memory.getFinishedSpans().map((x) => [x.spanContext().spanId, x]));
    let up: string | undefined = client.parentSpanContext?.spanId;
    while (up !== undefined && up !== inbound.spanContext().spanId) up = byId.get(up)?.parentSpanContext?.spanId;
    assert.equal(up, inbound.spanContext().spanId, 'the client span descends from the inbound server span');
    assert.equal(echo.parentSpanContext?.spanId, client.spanContext().spanId, 'the callee joined under the client span');
    assert.equal(seen['traceparent'], `00-${client.spanContext().traceId}-${client.spanContext().spanId}-01`);
    assert.match(seen['baggage'] ?? '', /correlation\.id=corr-hop-8/);
    assert.equal(client.attributes['http.response.status_code'], 200);
    assert.equal(client.attributes['url.full'], `${base}/v1/echo`, 'the query (PII, maybe) stays out of the span');
    assert.equal(client.attributes['server.port'], Number(new URL(base).port));
  });

  it('log lines carry trace.id / span.id of the request exactly once (the logger mixin)', async () => {
    memory.reset();
    logLines.length = 0;
    await get('/v1/items/9');
    const [span] = await serverSpansFor('/v1/items/9');
    const line = logLines.find((l) => l.includes('reading item'));
    assert.ok(span && line);
    assert.equal(line.split('"trace.id"').length, 2, line);
    assert.equal(line.split('"span.id"').length, 2, line);
    assert.equal(line.split('"trace.flags"').length, 2, line);
    assert.equal((JSON.parse(line) as Record<string, unknown>)['trace.id'], span.spanContext().traceId);
  });

  it('getTracer records spans through the registered provider', () => {
    memory.reset();
    getTracer('test').startActiveSpan('unit-of-work', (s) => s.end());
    assert.deepEqual(memory.getFinishedSpans().map((s) => s.name), ['unit-of-work']);
  });

  it('with Zipkin refusing or hanging, requests stay fast, nothing throws, one warning per exporter', async () => {
    const latencies: number[] = [];
    const until = Date.now() + 1_600; // > 3 export rounds of 500 ms; > 3 timeouts of the hanging export
    while (Date.now() < until) {
      const t0 = performance.now();
      const res = await fetch(`${base}/v1/items/${latencies.length}`);
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      assert.equal(res.status, 200);
      await sleep(20);
    }
    await sleep(600);
    latencies.sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length / 2)] ?? Infinity;
    const max = latencies.at(-1) ?? Infinity;
    const refused = warnings.filter((w) => w.includes('127.0.0.1:9/'));
    const hanging = warnings.filter((w) => w.includes(blackHoleUrl));
    console.log(
      `  ${latencies.length} requests with Zipkin down: p50 ${p50.toFixed(1)} ms, max ${max.toFixed(1)} ms; ` +
        `warnings: ${refused.length} (refused) + ${hanging.length} (hanging)`,
    );
    assert.equal(refused.length, 1, `expected one rate-limited warning, got ${JSON.stringify(warnings)}`);
    assert.equal(hanging.length, 1, `expected one rate-limited warning, got ${JSON.stringify(warnings)}`);
    assert.match(refused[0] ?? '', /dropped \d+ span/);
    assert.match(hanging[0] ?? '', /timed out/);
    assert.equal(warnings.length, 2, `unexpected diagnostics: ${JSON.stringify(warnings)}`);
    // A request that waited on an export would take >= the 300 ms export timeout (hanging Zipkin).
    // Generous bounds: other test files may share the CPU.
    assert.ok(p50 < 100, `p50 ${p50} ms`);
    assert.ok(max < 1_000, `max ${max} ms`);
  });

  it('shutdownTelemetry is bounded with Zipkin down, unregisters, and is a no-op the second time', async () => {
    await get('/v1/items/last');
    const t0 = performance.now();
    await shutdownTelemetry();
    const ms = performance.now() - t0;
    assert.ok(ms < 3_500, `shutdown took ${ms} ms`);
    assert.equal(isTelemetryRegistered(), false);
    const t1 = performance.now();
    await shutdownTelemetry();
    assert.ok(performance.now() - t1 < 50);
  });
});
