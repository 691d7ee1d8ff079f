import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { openDatabase } from '../../src/sqlite/index.js';
import { AckBook } from '../../src/messaging/acks.js';
import { Consumer, consumerSettings } from '../../src/messaging/consumer.js';
import { coalesceWrites } from '../../src/messaging/wire.js';
import type { ConsumeOptions, MessageHandler } from '../../src/messaging/types.js';
import { ROOT_CONTEXT, propagation, trace } from '@opentelemetry/api';
import { Registry } from 'prom-client';
import { reconnectBackoff } from '../../src/util/backoff.js';
import { consumerContext, correlationIdFromHeaders, correlationIdOf, withCorrelationId } from '../../src/messaging/correlation.js';
import { buildOutgoing, decodeBody } from '../../src/messaging/message.js';
import { createMessagingMetrics } from '../../src/messaging/metrics.js';
import { withHeartbeat } from '../../src/messaging/url.js';
import { Messaging, MessagingError, isMessagingError } from '../../src/messaging/index.js';
import { METRIC_MESSAGES_CONSUMED, METRIC_MESSAGES_PUBLISHED } from '../../src/semconv.js';

const silent = { info() {}, warn() {}, error() {}, debug() {} };

describe('reconnect backoff', () => {
  it('grows exponentially with jitter, stays under the cap, and restarts after reset', () => {
    const b = reconnectBackoff(100, 5000);
    const delays = Array.from({ length: 12 }, () => b.next());
    // attempt n waits in [d/2, d) with d = min(5000, 100 * 2^n)
    delays.forEach((ms, n) => {
      const d = Math.min(5000, 100 * 2 ** n);
      assert.ok(ms >= d / 2 && ms < d, `attempt ${n}: ${ms} ms not in [${d / 2}, ${d})`);
    });
    assert.ok(delays.slice(6).every((ms) => ms >= 2500 && ms < 5000), `capped delays: ${delays.join(',')}`);
    b.reset();
    const first = b.next();
    assert.ok(first >= 50 && first < 100, `after reset: ${first}`);
  });
});

describe('outgoing message', () => {
  it('serialises JSON, is persistent, and carries message ID, timestamp and correlation header', () => {
    const { content, options } = buildOutgoing({ orderId: 7 }, undefined, 'corr-1', 1_700_000_000_123, () => 'id-1');
    assert.deepEqual(JSON.parse(content.toString()), { orderId: 7 });
    assert.equal(options.contentType, 'application/json');
    assert.equal(options.persistent, true);
    assert.equal(options.messageId, 'id-1');
    assert.equal(options.timestamp, 1_700_000_000);
    assert.deepEqual(options.headers, { 'x-correlation-id': 'corr-1' });
  });

  it('defaults the message ID to a UUID and omits the correlation header when there is none', () => {
    const { options } = buildOutgoing('x', { headers: { 'x-tenant': 't1' } }, undefined);
    assert.match(String(options.messageId), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(options.headers, { 'x-tenant': 't1' });
  });

  it('passes a Buffer through unchanged with its own content type', () => {
    const raw = Buffer.from('{"a":1}\n{"a":2}\n');
    const { content, options } = buildOutgoing(raw, { contentType: 'application/x-ndjson', persistent: false, expiration: 5000, type: 'log.batch' }, undefined);
    assert.equal(content, raw);
    assert.equal(options.contentType, 'application/x-ndjson');
    assert.equal(options.persistent, false);
    assert.equal(options.expiration, '5000');
    assert.equal(options.type, 'log.batch');
    assert.equal(buildOutgoing(raw, undefined, undefined).options.contentType, 'application/octet-stream');
  });

  it('refuses payloads without a JSON form with serialize_failed', () => {
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    for (const bad of [circular, 10n, undefined, () => 1]) {
      assert.throws(() => buildOutgoing(bad, undefined, undefined), (e: unknown) => isMessagingError(e) && e.code === 'serialize_failed');
    }
  });
});

describe('incoming body', () => {
  it('parses JSON content types and keeps everything else raw', () => {
    const json = Buffer.from('{"ok":true}');
    assert.deepEqual(decodeBody(json, 'application/json'), { ok: true });
    assert.deepEqual(decodeBody(json, 'application/cloudevents+json; charset=utf-8'), { ok: true });
    assert.deepEqual(decodeBody(json, undefined), { ok: true });
    assert.equal(decodeBody(json, 'application/octet-stream'), json);
    const broken = Buffer.from('{"ok":');
    assert.equal(decodeBody(broken, 'application/json'), broken);
  });
});

describe('correlation from headers', () => {
  it('reads the baggage entry first, then x-correlation-id, and ignores invalid IDs', () => {
    assert.equal(correlationIdFromHeaders({ baggage: 'user.tier=gold,correlation.id=abc-123', 'x-correlation-id': 'other' }), 'abc-123');
    assert.equal(correlationIdFromHeaders({ 'x-correlation-id': 'from-header' }), 'from-header');
    assert.equal(correlationIdFromHeaders({ 'x-correlation-id': Buffer.from('buf-id') }), 'buf-id');
    assert.equal(correlationIdFromHeaders({ 'x-correlation-id': 'has space' }), undefined);
    assert.equal(correlationIdFromHeaders({ 'x-correlation-id': 'x'.repeat(65) }), undefined);
    assert.equal(correlationIdFromHeaders({}), undefined);
  });

  it('puts the header correlation ID into the handler context baggage, keeping other entries', () => {
    const active = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ 'user.tier': { value: 'gold' } }));
    const { ctx, correlationId } = consumerContext(active, { 'x-correlation-id': 'c-42' });
    assert.equal(correlationId, 'c-42');
    assert.equal(correlationIdOf(ctx), 'c-42');
    assert.equal(propagation.getBaggage(ctx)?.getEntry('user.tier')?.value, 'gold');
  });

  it('keeps a correlation ID the context already carries (instrumentation extracted it)', () => {
    const active = withCorrelationId(ROOT_CONTEXT, 'from-baggage');
    const { ctx, correlationId } = consumerContext(active, { 'x-correlation-id': 'from-header' });
    assert.equal(correlationId, 'from-baggage');
    assert.equal(ctx, active);
  });

  it('leaves a context that has a span alone (the amqplib instrumentation set it up)', () => {
    const span = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 });
    const active = trace.setSpan(ROOT_CONTEXT, span);
    const { ctx } = consumerContext(active, { traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01` });
    assert.equal(trace.getSpanContext(ctx)?.traceId, 'a'.repeat(32));
  });
});

describe('messaging metrics', () => {
  it('registers once per registry and counts into the same series when created twice', async () => {
    const registry = new Registry();
    const a = createMessagingMetrics(registry);
    const b = createMessagingMetrics(registry);
    a.published('brewops.events', 'confirmed');
    b.published('brewops.events', 'confirmed', 2);
    b.consumed('q1', 'error', 'reject', 0.02);
    const published = await registry.getSingleMetric(METRIC_MESSAGES_PUBLISHED)!.get();
    assert.deepEqual(published.values.map((v) => [v.labels, v.value]), [[{ exchange: 'brewops.events', outcome: 'confirmed' }, 3]]);
    const consumed = await registry.getSingleMetric(METRIC_MESSAGES_CONSUMED)!.get();
    assert.deepEqual(consumed.values.map((v) => [v.labels, v.value]), [[{ queue: 'q1', outcome: 'error', action: 'reject' }, 1]]);
  });
});

describe('Messaging without a broker', () => {
  it('rejects publishes at once with not_connected before start, and with closed after close', async () => {
    const registry = new Registry();
    const m = new Messaging({ url: 'amqp://127.0.0.1:1', connectionName: 'unit', logger: silent, registry });
    const started = Date.now();
    await assert.rejects(m.publish('x', 'y', { a: 1 }), (e: unknown) => isMessagingError(e) && e.code === 'not_connected');
    await assert.rejects(m.publishBatch([{ exchange: 'x', routingKey: 'y', payload: 1 }]), (e: unknown) => isMessagingError(e) && e.code === 'not_connected');
    assert.ok(Date.now() - started < 100, 'not_connected must not wait');
    assert.equal(m.isConnected, false);
    const metric = await registry.getSingleMetric(METRIC_MESSAGES_PUBLISHED)!.get();
    assert.equal(metric.values.find((v) => v.labels['outcome'] === 'not_connected')?.value, 2);
    await m.close();
    await assert.rejects(m.publish('x', 'y', 1), (e: unknown) => e instanceof MessagingError && e.code === 'closed');
    await assert.rejects(m.start(), (e: unknown) => isMessagingError(e) && e.code === 'closed');
  });

  it('start() against an unreachable broker keeps retrying and rejects with closed only when closed', async () => {
    const warnings: unknown[] = [];
    const logger = { ...silent, warn: (o: object | string) => void warnings.push(o) };
    const m = new Messaging({ url: 'amqp://127.0.0.1:1', connectionName: 'unit', logger, minReconnectDelayMs: 10, maxReconnectDelayMs: 20 });
    const start = m.start();
    await new Promise((r) => setTimeout(r, 150));
    assert.ok(warnings.length >= 2, `expected several retries, got ${warnings.length}`);
    await m.close();
    await assert.rejects(start, (e: unknown) => isMessagingError(e) && e.code === 'closed');
  });

  it('adds a heartbeat to URLs without one and keeps an explicit one', () => {
    assert.equal(withHeartbeat('amqp://guest:guest@127.0.0.1:5672', 10), 'amqp://guest:guest@127.0.0.1:5672?heartbeat=10');
    assert.equal(withHeartbeat('amqp://h:5672/vh?heartbeat=30', 10), 'amqp://h:5672/vh?heartbeat=30');
  });
});

// ---------------------------------------------------------------------------------------------
// Acks, group commit and write coalescing, against a fake channel (no broker).

interface FakeMsg { content: Buffer; fields: { deliveryTag: number; routingKey: string; exchange: string; redelivered: boolean }; properties: { headers: Record<string, unknown>; contentType: string; messageId: string } }

function fakeMsg(tag: number, body: unknown = { n: tag }): FakeMsg {
  return {
    content: Buffer.from(JSON.stringify(body)),
    fields: { deliveryTag: tag, routingKey: 'k', exchange: 'x', redelivered: false },
    properties: { headers: {}, contentType: 'application/json', messageId: `m-${tag}` },
  };
}

/** Records acks as `tag` (single) or `<=tag` (multiple), nacks as `nack tag` / `requeue tag`. */
class FakeChannel extends EventEmitter {
  readonly sent: string[] = [];
  deliver: ((msg: FakeMsg | null) => void) | undefined;
  async prefetch(): Promise<void> {}
  async consume(_q: string, cb: (msg: FakeMsg | null) => void): Promise<{ consumerTag: string }> {
    this.deliver = cb;
    return { consumerTag: 'ct-1' };
  }
  ack(msg: FakeMsg, allUpTo?: boolean): void { this.sent.push(allUpTo ? `<=${msg.fields.deliveryTag}` : `${msg.fields.deliveryTag}`); }
  nack(msg: FakeMsg, _allUpTo?: boolean, requeue?: boolean): void { this.sent.push(`${requeue ? 'requeue' : 'nack'} ${msg.fields.deliveryTag}`); }
  async close(): Promise<void> {}
  async cancel(): Promise<void> {}
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const turns = async (n = 3): Promise<void> => { for (let i = 0; i < n; i++) await turn(); };

async function subscribed(handler: MessageHandler, opts: ConsumeOptions = {}): Promise<{ ch: FakeChannel; consumer: Consumer; deliver: (...tags: number[]) => void }> {
  const ch = new FakeChannel();
  const consumer = new Consumer('q', handler, consumerSettings(opts), {
    logger: silent, metrics: createMessagingMetrics(undefined), minDelayMs: 10, maxDelayMs: 20, closeTimeoutMs: 1000, onCancelled: () => undefined,
  });
  await consumer.subscribe({ createChannel: async () => ch } as unknown as ChannelModel);
  return { ch, consumer, deliver: (...tags) => { for (const t of tags) ch.deliver!(fakeMsg(t)); } };
}

describe('AckBook', () => {
  const book = (): { ch: FakeChannel; book: AckBook; errors: unknown[] } => {
    const ch = new FakeChannel();
    const errors: unknown[] = [];
    return { ch, book: new AckBook(ch as unknown as Channel, (e) => errors.push(e)), errors };
  };

  it('sends the acks of one turn as one multiple ack up to the newest delivery before which all are settled', async () => {
    const { ch, book: b } = book();
    const ds = [1, 2, 3, 4].map((t) => b.track(fakeMsg(t) as unknown as ConsumeMessage));
    for (const d of ds) b.ack(d);
    assert.deepEqual(ch.sent, [], 'nothing is sent before the end of the turn');
    await turn();
    assert.deepEqual(ch.sent, ['<=4']);
    assert.equal(b.unsettled, 0);
  });

  it('never covers a delivery whose handler still runs: acks behind it go out one by one', async () => {
    const { ch, book: b } = book();
    const [d1, d2, d3, d4] = [1, 2, 3, 4].map((t) => b.track(fakeMsg(t) as unknown as ConsumeMessage));
    b.ack(d1!);
    b.ack(d3!);
    b.ack(d4!);
    await turn();
    assert.deepEqual(ch.sent, ['<=1', '3', '4'], 'delivery 2 is still open');
    b.ack(d2!);
    await turn();
    assert.deepEqual(ch.sent, ['<=1', '3', '4', '<=2'], 'acks for 3 and 4 are not sent twice');
    assert.equal(b.unsettled, 0);
  });

  it('sends nacks at once and never aims a multiple ack at a nacked delivery', async () => {
    const { ch, book: b } = book();
    const [d1, d2, d3] = [1, 2, 3].map((t) => b.track(fakeMsg(t) as unknown as ConsumeMessage));
    b.ack(d1!);
    b.nack(d2!, true);
    b.nack(d3!, false);
    assert.deepEqual(ch.sent, ['requeue 2', 'nack 3']);
    await turn();
    assert.deepEqual(ch.sent, ['requeue 2', 'nack 3', '<=1']);
  });

  it('a closed channel makes a send fail quietly (the broker redelivers)', async () => {
    const { ch, book: b, errors } = book();
    ch.ack = () => { throw new Error('Channel closed'); };
    b.ack(b.track(fakeMsg(1) as unknown as ConsumeMessage));
    await turn();
    assert.equal(errors.length, 1);
  });
});

describe('Consumer', () => {
  it('acks each handled message; the acks of one turn share a frame', async () => {
    const handled: number[] = [];
    const { ch, deliver } = await subscribed(async (m) => void handled.push((m.body as { n: number }).n));
    deliver(1, 2, 3);
    await turns();
    assert.deepEqual(handled, [1, 2, 3]);
    assert.deepEqual(ch.sent, ['<=3']);
  });

  it('group commit: handlers of deliveries that arrived together run in one transaction; a failing one rolls back only its own savepoint', async () => {
    const db = openDatabase({ file: ':memory:' });
    db.exec('CREATE TABLE effects (n INTEGER PRIMARY KEY)');
    const insert = db.prepare('INSERT INTO effects (n) VALUES (?)');
    const apply = db.transaction((n: number) => {
      insert.run(n);
      if (n === 2) throw new Error('cannot apply 2');
    });
    const batches: number[] = [];
    let inBatch = 0;
    const { ch, deliver } = await subscribed(async (m) => {
      inBatch++;
      assert.equal(db.inTransaction, true, 'the handler runs inside the batch transaction');
      apply((m.body as { n: number }).n);
    }, { transaction: (run) => { inBatch = 0; db.transaction(run)(); batches.push(inBatch); } });
    deliver(1, 2, 3, 4);
    await turns();
    assert.deepEqual(batches, [4], 'one transaction for the four deliveries');
    assert.deepEqual(db.prepare('SELECT n FROM effects ORDER BY n').pluck().all(), [1, 3, 4], 'the failed handler left nothing behind');
    assert.deepEqual(ch.sent, ['nack 2', '<=4'], 'the failure is rejected (default policy), the rest acked in one frame');
    db.close();
  });

  it('group commit: when the batch does not commit, every message of it is requeued, none acked', async () => {
    const db = openDatabase({ file: ':memory:' });
    db.exec('CREATE TABLE effects (n INTEGER PRIMARY KEY)');
    const insert = db.prepare('INSERT INTO effects (n) VALUES (?)');
    let failCommit = true;
    const { ch, deliver } = await subscribed(async (m) => void insert.run((m.body as { n: number }).n), {
      transaction: (run) => db.transaction(() => {
        run();
        if (failCommit) throw new Error('disk I/O error'); // as if COMMIT failed: everything rolls back
      })(),
    });
    deliver(1, 2);
    await turns();
    assert.deepEqual(ch.sent, ['requeue 1', 'requeue 2']);
    assert.deepEqual(db.prepare('SELECT n FROM effects').all(), []);
    failCommit = false;
    deliver(3);
    await turns();
    assert.deepEqual(ch.sent, ['requeue 1', 'requeue 2', '<=3']);
    db.close();
  });

  it('group commit: a transaction that fails before starting the handlers requeues the whole batch', async () => {
    let calls = 0;
    const { ch, deliver } = await subscribed(async () => { calls++; }, { transaction: () => { throw new Error('SQLITE_BUSY'); } });
    deliver(1, 2);
    await turns();
    assert.equal(calls, 0);
    assert.deepEqual(ch.sent, ['requeue 1', 'requeue 2']);
  });

  it('group commit: deliveries of a channel lost before their batch ran are not handled (the broker redelivers them)', async () => {
    let calls = 0;
    const { ch, consumer, deliver } = await subscribed(async () => { calls++; }, { transaction: (run) => run() });
    deliver(1);
    consumer.detach(); // the connection dropped
    await turns();
    assert.equal(calls, 0);
    assert.deepEqual(ch.sent, []);
  });

  it('closing the channel sends the acks made so far first', async () => {
    const { ch, consumer, deliver } = await subscribed(async () => undefined);
    deliver(1, 2);
    await Promise.resolve();
    await Promise.resolve();
    await consumer.drain(1000);
    await consumer.closeChannel();
    assert.deepEqual(ch.sent, ['<=2']);
  });
});

describe('coalesceWrites', () => {
  it('corks the socket while amqplib writes its queued frames, so they leave in one writev', () => {
    const calls: string[] = [];
    const muxer = {
      out: { cork: () => calls.push('cork'), uncork: () => calls.push('uncork') },
      _readIncoming(this: unknown) { calls.push(this === muxer ? 'write frames' : 'wrong this'); },
    };
    assert.equal(coalesceWrites({ connection: { muxer } } as unknown as ChannelModel), true);
    muxer._readIncoming();
    assert.deepEqual(calls, ['cork', 'write frames', 'uncork']);
  });

  it('changes nothing when amqplib is not as expected', () => {
    assert.equal(coalesceWrites({} as unknown as ChannelModel), false);
    assert.equal(coalesceWrites({ connection: { muxer: { out: {} } } } as unknown as ChannelModel), false);
  });
});
