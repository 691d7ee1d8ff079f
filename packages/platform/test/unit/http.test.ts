import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Router from '@koa/router';
import request from 'supertest';
import { z } from 'zod';
import { currentCorrelationId } from '../../src/correlation.js';
import { AppError, badRequest, createApp, isAppError, notFound, Readiness, toAppError } from '../../src/http/index.js';
import { createLogger } from '../../src/log/index.js';
import { createMetrics } from '../../src/metrics/index.js';
import { CORRELATION_ID_PATTERN, HEADER_CORRELATION_ID } from '../../src/semconv.js';

type Line = Record<string, unknown>;

function setup(options: { bodyLimit?: string; readiness?: Readiness } = {}) {
  const raw: string[] = [];
  const logger = createLogger({ service: 'items', instanceId: 'items-1', level: 'debug', destination: { write: (s: string) => void raw.push(s) } });
  const metrics = createMetrics({ service: 'items', instanceId: 'items-1', defaultMetrics: false });
  const readiness = options.readiness ?? new Readiness();
  const app = createApp({
    service: 'items',
    instanceId: 'items-1',
    logger,
    metrics,
    readiness,
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
  });
  // A service's router, mounted after createApp returns, as services do.
  const router = new Router();
  router.get('/v1/items/:id', (ctx) => {
    logger.info({ itemId: ctx.params['id'] }, 'item read');
    ctx.body = { id: ctx.params['id'], correlationId: currentCorrelationId() };
  });
  router.post('/v1/items', (ctx) => {
    ctx.status = 201;
    ctx.body = { received: ctx.request.body };
  });
  router.post('/v1/validated', (ctx) => {
    ctx.body = z.object({ quantity: z.number().int().positive() }).parse(ctx.request.body);
  });
  router.get('/v1/missing', () => {
    throw notFound('item_not_found', 'No such item', { id: 'x' });
  });
  router.get('/v1/conflict', () => {
    throw new AppError({ status: 409, code: 'already_paid', message: 'Order already paid', headers: { 'retry-after': '3' } });
  });
  router.get('/v1/crash', () => {
    throw new Error('db password=hunter2 at 10.0.0.7 exploded');
  });
  router.get('/v1/upstream', () => {
    throw new AppError({ status: 502, code: 'upstream_unavailable', message: 'payment did not answer', cause: new Error('ECONNREFUSED') });
  });
  router.post('/v1/pii', (ctx) => {
    logger.info(
      { customer: { note: 'card 4111 1111 1111 1111, mail jane.doe@example.com' }, auth: 'Bearer sk_live_abc123' },
      'charging 5555-5555-5555-4444 for bob@example.org with Bearer abc.def.ghi',
    );
    ctx.status = 204;
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  const lines = (): Line[] => raw.map((l) => JSON.parse(l) as Line);
  return { app, raw, lines, readiness, server: app.callback() };
}

function errorOf(body: unknown): { code: string; message: string; details?: unknown; correlationId?: string } {
  const b = body as { error?: { code: string; message: string; details?: unknown; correlationId?: string } };
  assert.ok(b.error, `not an error body: ${JSON.stringify(body)}`);
  return b.error;
}

describe('createApp: errors', () => {
  it('malformed JSON → 400 invalid_json with the correlation ID', async () => {
    const { server } = setup();
    const res = await request(server).post('/v1/items').set('content-type', 'application/json').send('{"a": [').expect(400);
    assert.match(res.headers['content-type'] ?? '', /application\/json/);
    const err = errorOf(res.body);
    assert.equal(err.code, 'invalid_json');
    assert.equal(err.correlationId, res.headers[HEADER_CORRELATION_ID]);
  });

  it('a JSON scalar is refused (strict parsing) and a valid body reaches the handler', async () => {
    const { server } = setup();
    await request(server).post('/v1/items').set('content-type', 'application/json').send('"just a string"').expect(400);
    const ok = await request(server).post('/v1/items').send({ a: 1 }).expect(201);
    assert.deepEqual(ok.body, { received: { a: 1 } });
  });

  it('unknown route → 404 JSON not_found, also with service routers mounted after createApp', async () => {
    const { server } = setup();
    const res = await request(server).get('/v2/nothing').expect(404);
    assert.equal(errorOf(res.body).code, 'not_found');
    assert.match(errorOf(res.body).correlationId ?? '', CORRELATION_ID_PATTERN);
  });

  it('method not allowed → 405 JSON with Allow', async () => {
    const { server } = setup();
    const res = await request(server).delete('/v1/items/1').expect(405);
    assert.equal(errorOf(res.body).code, 'method_not_allowed');
    assert.match(res.headers['allow'] ?? '', /GET/);
  });

  it('body over the limit → 413 payload_too_large', async () => {
    const { server } = setup({ bodyLimit: '1kb' });
    const res = await request(server).post('/v1/items').send({ big: 'x'.repeat(2048) }).expect(413);
    assert.equal(errorOf(res.body).code, 'payload_too_large');
  });

  it('a body that is not JSON → 415 unsupported_media_type', async () => {
    const { server } = setup();
    const res = await request(server).post('/v1/items').set('content-type', 'text/plain').send('hello').expect(415);
    assert.equal(errorOf(res.body).code, 'unsupported_media_type');
  });

  it('a thrown AppError → its status, code, message, details and headers', async () => {
    const { server } = setup();
    const a = await request(server).get('/v1/missing').expect(404);
    assert.deepEqual(errorOf(a.body), { code: 'item_not_found', message: 'No such item', details: { id: 'x' }, correlationId: a.headers[HEADER_CORRELATION_ID] });
    const b = await request(server).get('/v1/conflict').expect(409);
    assert.equal(errorOf(b.body).code, 'already_paid');
    assert.equal(b.headers['retry-after'], '3');
  });

  it('a zod validation error → 400 validation_failed naming the field', async () => {
    const { server } = setup();
    const res = await request(server).post('/v1/validated').send({ quantity: 0 }).expect(400);
    const err = errorOf(res.body);
    assert.equal(err.code, 'validation_failed');
    assert.equal((err.details as Array<{ path: string }>)[0]?.path, 'quantity');
  });

  it('a plain Error → 500 internal_error, nothing internal in the body, stack in the log', async () => {
    const { server, raw, lines } = setup();
    const res = await request(server).get('/v1/crash').expect(500);
    assert.deepEqual(Object.keys(errorOf(res.body)).sort(), ['code', 'correlationId', 'message']);
    assert.equal(errorOf(res.body).code, 'internal_error');
    assert.equal(errorOf(res.body).message, 'Internal Server Error');
    for (const leak of ['hunter2', '10.0.0.7', 'exploded', 'at ', '.js']) assert.ok(!res.text.includes(leak), `${leak} leaked`);
    const logged = lines().find((l) => l['message'] === 'unhandled error in request');
    assert.ok(logged, raw.join(''));
    assert.equal(logged['log.level'], 'error');
    assert.equal(logged['error.type'], 'Error');
    assert.match(String(logged['error.stack_trace']), /exploded[\s\S]*http\.test/);
    assert.equal(logged['correlation.id'], res.headers[HEADER_CORRELATION_ID]);
  });

  it('a 5xx AppError keeps its code, hides its message, and is logged with its cause', async () => {
    const { server, lines } = setup();
    const res = await request(server).get('/v1/upstream').expect(502);
    assert.equal(errorOf(res.body).code, 'upstream_unavailable');
    assert.equal(errorOf(res.body).message, 'Bad Gateway');
    const logged = lines().find((l) => l['error.code'] === 'upstream_unavailable' && l['error.stack_trace']);
    assert.match(String(logged?.['error.stack_trace']), /Caused by: Error: ECONNREFUSED/);
  });
});

describe('createApp: correlation ID', () => {
  it('echoes a valid incoming ID, exposes it to handlers and logs it on every line of the request', async () => {
    const { server, lines } = setup();
    const res = await request(server).get('/v1/items/7').set(HEADER_CORRELATION_ID, 'order-123.A_b').expect(200);
    assert.equal(res.headers[HEADER_CORRELATION_ID], 'order-123.A_b');
    assert.equal(res.body.correlationId, 'order-123.A_b');
    const requestLines = lines().filter((l) => l['correlation.id'] === 'order-123.A_b');
    assert.deepEqual(requestLines.map((l) => l['message']), ['item read', 'GET /v1/items/:id 200']);
  });

  it('replaces an invalid ID and never logs the raw value, only its length', async () => {
    const { server, raw, lines } = setup();
    const invalid = 'BADCID-marker <script>alert(1)</script>';
    const res = await request(server).get('/v1/items/7').set(HEADER_CORRELATION_ID, invalid).expect(200);
    const replaced = res.headers[HEADER_CORRELATION_ID] ?? '';
    assert.notEqual(replaced, invalid);
    assert.match(replaced, CORRELATION_ID_PATTERN);
    assert.equal(res.body.correlationId, replaced);
    assert.ok(!raw.join('').includes('BADCID'), 'raw invalid value logged');
    const notice = lines().find((l) => l['correlation.rejected_length'] !== undefined);
    assert.equal(notice?.['correlation.rejected_length'], invalid.length);
    assert.equal(notice?.['correlation.id'], replaced);
  });

  it('generates a fresh ID per request when none is sent', async () => {
    const { server } = setup();
    const a = await request(server).get('/v1/items/1');
    const b = await request(server).get('/v1/items/1');
    assert.match(a.headers[HEADER_CORRELATION_ID] ?? '', CORRELATION_ID_PATTERN);
    assert.notEqual(a.headers[HEADER_CORRELATION_ID], b.headers[HEADER_CORRELATION_ID]);
  });
});

describe('createApp: logs', () => {
  it('writes one ECS JSON line per request with method, route template, status and duration', async () => {
    const { server, raw, lines } = setup();
    await request(server).get('/v1/items/42').set(HEADER_CORRELATION_ID, 'c-1').expect(200);
    for (const l of raw) assert.doesNotThrow(() => JSON.parse(l), l);
    const line = lines().find((l) => l['message'] === 'GET /v1/items/:id 200');
    assert.ok(line);
    for (const key of ['@timestamp', 'log.level', 'message', 'service.name', 'service.instance.id', 'ecs.version']) assert.ok(key in line, key);
    assert.equal(line['service.name'], 'items');
    assert.equal(line['http.request.method'], 'GET');
    assert.equal(line['http.route'], '/v1/items/:id');
    assert.equal(line['http.response.status_code'], 200);
    assert.equal(line['correlation.id'], 'c-1');
    assert.equal(typeof line['duration_ms'], 'number');
    assert.equal(typeof line['event.duration'], 'number');
  });

  it('logs health and metrics requests at debug, others at info', async () => {
    const { server, lines } = setup();
    await request(server).get('/health/live').expect(200);
    await request(server).get('/metrics').expect(200);
    await request(server).get('/v1/items/1').expect(200);
    const levels = Object.fromEntries(lines().filter((l) => 'http.route' in l).map((l) => [l['http.route'], l['log.level']]));
    assert.deepEqual(levels, { '/health/live': 'debug', '/metrics': 'debug', '/v1/items/:id': 'info' });
  });

  it('masks card numbers, e-mails and bearer tokens in the message and in fields', async () => {
    const { server, raw } = setup();
    await request(server).post('/v1/pii').send({}).expect(204);
    const text = raw.join('');
    for (const pii of ['4111 1111 1111 1111', '5555-5555-5555-4444', 'jane.doe@', 'bob@', 'sk_live_abc123', 'abc.def.ghi']) {
      assert.ok(!text.includes(pii), `${pii} leaked: ${text}`);
    }
    assert.ok(text.includes('**** **** **** 1111') && text.includes('**** **** **** 4444'));
    assert.ok(text.includes('j***@example.com') && text.includes('Bearer [REDACTED]'));
  });
});

describe('createApp: health and metrics', () => {
  it('/health/live is 200 {status:"ok"}', async () => {
    const { server } = setup();
    const res = await request(server).get('/health/live').expect(200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('/health/ready is 200 when all checks pass, 503 with the failing check otherwise, 503 when draining', async () => {
    const readiness = new Readiness({ checkTimeoutMs: 50 });
    const { server } = setup({ readiness });
    let amqpUp = true;
    readiness.check('amqp', () => amqpUp);
    readiness.set('db', true);
    const ok = await request(server).get('/health/ready').expect(200);
    assert.deepEqual(ok.body, { status: 'ok', checks: { amqp: { ok: true }, db: { ok: true } } });
    amqpUp = false;
    readiness.set('db', false, 'migrations pending');
    const down = await request(server).get('/health/ready').expect(503);
    assert.equal(down.body.status, 'unavailable');
    assert.deepEqual(down.body.checks.db, { ok: false, reason: 'migrations pending' });
    assert.equal(down.body.checks.amqp.ok, false);
    amqpUp = true;
    readiness.set('db', true);
    readiness.check('slow', () => new Promise<boolean>(() => {}));
    const slow = await request(server).get('/health/ready').expect(503);
    assert.match(slow.body.checks.slow.reason, /timed out/);
    readiness.check('slow', () => true);
    await request(server).get('/health/ready').expect(200);
    readiness.setDraining();
    const draining = await request(server).get('/health/ready').expect(503);
    assert.equal(draining.body.status, 'draining');
    await request(server).get('/health/live').expect(200);
  });

  it('/metrics exposes the RED histogram labelled with the route template, not the raw path', async () => {
    const { server } = setup();
    await request(server).get('/v1/items/42').expect(200);
    await request(server).get('/v1/crash').expect(500);
    const res = await request(server).get('/metrics').expect(200);
    assert.match(res.text, /http_server_request_duration_seconds_count\{method="GET",route="\/v1\/items\/:id",status_code="200"\} 1/);
    assert.match(res.text, /http_server_request_duration_seconds_count\{method="GET",route="\/v1\/crash",status_code="500"\} 1/);
    const labelValues = res.text
      .split('\n')
      .filter((l) => l.startsWith('http_server'))
      .flatMap((l) => [...l.matchAll(/="([^"]*)"/g)].map((m) => m[1] ?? ''));
    assert.ok(labelValues.includes('/v1/items/:id'));
    assert.ok(!labelValues.some((v) => v.includes('42')), '42 appears in a label');
  });
});

describe('errors', () => {
  it('isAppError recognises the brand, not only instanceof', () => {
    const e = badRequest('bad_thing', 'Bad thing');
    assert.equal(isAppError(e), true);
    assert.equal(isAppError(Object.assign(Object.create(null) as object, e)), false);
    assert.equal(isAppError(new Error('x')), false);
    assert.equal(isAppError({ status: 400, code: 'x' }), false);
    const foreign = new Error('from another copy');
    Object.defineProperty(foreign, Symbol.for('brewops.AppError'), { value: true });
    assert.equal(isAppError(foreign), true);
  });

  it('toAppError maps unknown errors to a generic 500 and exposes client errors only', () => {
    const internal = toAppError(new Error('secret detail'));
    assert.equal(internal.status, 500);
    assert.equal(internal.expose, false);
    assert.equal(internal.message, 'Internal Server Error');
    const thrownString = toAppError('boom');
    assert.equal(thrownString.code, 'internal_error');
  });
});
