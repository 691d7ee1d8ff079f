// Integration tests against the real RabbitMQ (AMQP_URL, default amqp://guest:guest@127.0.0.1:5672).
//
// Tracing is set up exactly as in a service: a tracer provider, W3C tracecontext + baggage
// propagators and the amqplib instrumentation are registered BEFORE amqplib is first required,
// so the instrumentation can patch it. That is why the module under test is loaded with
// require() below the setup rather than with an import (imports are hoisted).
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { SpanKind, context, propagation, trace } from '@opentelemetry/api';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(
  new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
);
const instrumentation = new AmqplibInstrumentation();
instrumentation.setTracerProvider(provider);

/* eslint-disable @typescript-eslint/no-require-imports */
const amqp = require('amqplib') as typeof import('amqplib');
const { Messaging, isMessagingError } = require('../../src/messaging/index.js') as typeof import('../../src/messaging/index.js');
/* eslint-enable @typescript-eslint/no-require-imports */

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Registry } from 'prom-client';
import type { Channel, ChannelModel } from 'amqplib';
import type { ConsumedMessage, Messaging as MessagingT, MessagingOptions } from '../../src/messaging/index.js';
import { METRIC_MESSAGES_CONSUMED } from '../../src/semconv.js';

const AMQP_URL = process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';
const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const EX = `brewops.test.${run}`;
const queue = (name: string): string => `${EX}.${name}`;
const tracer = trace.getTracer('messaging-test');

interface LogEntry { level: string; obj: unknown; msg: string | undefined }
function captureLogger(): { logs: LogEntry[]; info: (o: object | string, m?: string) => void; warn: (o: object | string, m?: string) => void; error: (o: object | string, m?: string) => void; debug: (o: object | string, m?: string) => void } {
  const logs: LogEntry[] = [];
  const at = (level: string) => (obj: object | string, msg?: string): void => void logs.push({ level, obj, msg });
  return { logs, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

let admin: ChannelModel;
let adminCh: Channel;
const open: MessagingT[] = [];

function messaging(name: string, extra: Partial<MessagingOptions> = {}): MessagingT & { logs: LogEntry[] } {
  const logger = captureLogger();
  const m = new Messaging({ url: AMQP_URL, connectionName: `test-${run}-${name}`, logger, minReconnectDelayMs: 50, maxReconnectDelayMs: 500, ...extra });
  open.push(m);
  return Object.assign(m, { logs: logger.logs });
}

const declareExchange = async (ch: Channel): Promise<void> => {
  await ch.assertExchange(EX, 'topic', { durable: false });
};

before(async () => {
  try {
    admin = await amqp.connect(AMQP_URL);
  } catch (err) {
    throw new Error(`RabbitMQ is not reachable at ${AMQP_URL.replace(/\/\/[^@]*@/, '//')}: ${String(err)}. Start it (npm run up) or set AMQP_URL.`);
  }
  admin.on('error', () => undefined);
  adminCh = await admin.createChannel();
  await declareExchange(adminCh);
});

after(async () => {
  await Promise.all(open.map((m) => m.close()));
  if (!admin) return;
  // one channel per delete: a refused delete closes its channel
  const drop = async (op: (ch: Channel) => Promise<unknown>): Promise<void> => {
    const ch = await admin.createChannel();
    ch.on('error', () => undefined);
    await op(ch).then(() => ch.close(), () => undefined);
  };
  for (const q of ['roundtrip', 'boot', 'batch', 'group', 'full', 'fail', 'fail.dead', 'requeue', 'inflight', 'stuck', 'reconnect']) {
    await drop((ch) => ch.deleteQueue(queue(q)));
  }
  await drop((ch) => ch.deleteExchange(EX));
  await admin.close();
  instrumentation.disable();
  await provider.shutdown();
});

describe('messaging against RabbitMQ', () => {
  it('round trip: confirmed publish, JSON body, correlation ID in the consumer context, consumer span child of the producer span', async () => {
    const registry = new Registry();
    const m = messaging('roundtrip', { registry });
    await m.start();
    assert.equal(m.isConnected, true);
    const q = queue('roundtrip');
    await m.addTopology(async (ch) => {
      await declareExchange(ch);
      await ch.assertQueue(q, { durable: false });
      await ch.bindQueue(q, EX, 'order.*');
    });
    const got = deferred<{ msg: ConsumedMessage; baggageId: string | undefined; spanId: string | undefined; traceId: string | undefined }>();
    await m.consume(q, async (msg) => {
      await new Promise((r) => setTimeout(r, 5)); // the context must survive an await
      const active = trace.getSpanContext(context.active());
      got.resolve({ msg, baggageId: propagation.getActiveBaggage()?.getEntry('correlation.id')?.value, spanId: active?.spanId, traceId: active?.traceId });
    });

    const correlationId = `corr-${run}`;
    const withBaggage = propagation.setBaggage(context.active(), propagation.createBaggage({ 'correlation.id': { value: correlationId } }));
    const parent = await context.with(withBaggage, () =>
      tracer.startActiveSpan('POST /orders', async (span) => {
        await m.publish(EX, 'order.placed', { orderId: 42 }, { messageId: `m-${run}` });
        span.end();
        return span.spanContext();
      }),
    );

    const { msg, baggageId, spanId, traceId } = await got.promise;
    assert.deepEqual(msg.body, { orderId: 42 });
    assert.equal(msg.messageId, `m-${run}`);
    assert.equal(msg.routingKey, 'order.placed');
    assert.equal(msg.exchange, EX);
    assert.equal(msg.correlationId, correlationId);
    assert.equal(msg.headers['x-correlation-id'], correlationId);
    assert.equal(baggageId, correlationId, 'the handler context carries the correlation ID as baggage');

    const spans = await waitFor('producer and consumer spans', () => {
      const all = exporter.getFinishedSpans();
      const producer = all.find((s) => s.kind === SpanKind.PRODUCER && s.parentSpanContext?.spanId === parent.spanId);
      const consumer = producer && all.find((s) => s.kind === SpanKind.CONSUMER && s.parentSpanContext?.spanId === producer.spanContext().spanId);
      return consumer ? { producer, consumer } : undefined;
    });
    const { producer, consumer }: { producer: ReadableSpan; consumer: ReadableSpan } = spans;
    assert.equal(producer.spanContext().traceId, parent.traceId);
    assert.equal(consumer.spanContext().traceId, parent.traceId, 'one trace from the HTTP span through the consumer');
    assert.equal(traceId, parent.traceId);
    assert.equal(spanId, consumer.spanContext().spanId, 'the handler runs inside the consumer span');

    const consumed = await registry.getSingleMetric(METRIC_MESSAGES_CONSUMED)!.get();
    assert.deepEqual(consumed.values.map((v) => [v.labels, v.value]), [[{ queue: q, outcome: 'success', action: 'ack' }, 1]]);
  });

  it('topology and consumers registered before or during start() are set up before start() resolves', async () => {
    const m = messaging('boot');
    const q = queue('boot');
    await m.addTopology(async (ch) => {
      await declareExchange(ch);
      await ch.assertQueue(q, { durable: false });
      await ch.bindQueue(q, EX, 'boot.*');
    }); // not connected: resolves at once, runs on connect
    const received = deferred<unknown>();
    const early = await m.consume(q, async (msg) => received.resolve(msg.body));
    assert.equal(early.consumerTag, undefined);
    const started = m.start();
    const late = deferred<unknown>();
    const duringConnect = await m.consume(q, async (msg) => late.resolve(msg.body)); // races the connect
    await started;
    assert.equal(m.isConnected, true);
    assert.ok(early.consumerTag !== undefined && duringConnect.consumerTag !== undefined, 'both consumers subscribed');
    await m.publish(EX, 'boot.x', { n: 1 });
    await m.publish(EX, 'boot.x', { n: 2 });
    const bodies = await Promise.all([received.promise, late.promise]);
    assert.deepEqual(bodies.map((b) => (b as { n: number }).n).sort(), [1, 2], 'round-robin over both consumers');
  });

  it('publishBatch: 1,000 messages published with one wait for confirms, all delivered', async () => {
    const m = messaging('batch');
    await m.start();
    const q = queue('batch');
    await m.addTopology(async (ch) => {
      await declareExchange(ch);
      await ch.assertQueue(q, { durable: false });
      await ch.bindQueue(q, EX, 'batch.#');
    });
    const batch = Array.from({ length: 1000 }, (_, n) => ({ exchange: EX, routingKey: 'batch.item', payload: { n, pad: 'x'.repeat(200) } }));
    const t0 = process.hrtime.bigint();
    await m.publishBatch(batch);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    // throughput is printed, not asserted: it depends on machine load (bench/ owns the >= 1000 msgs/s claim)
    console.log(`publishBatch: 1000 messages confirmed in ${ms.toFixed(1)} ms (${Math.round(1000 / (ms / 1000))} msgs/s, amqplib instrumentation on)`);
    assert.equal((await adminCh.checkQueue(q)).messageCount, 1000, 'every confirmed message is in the queue');
    const seen = new Set<number>();
    await m.consume(q, async (msg) => void seen.add((msg.body as { n: number }).n), { prefetch: 200 });
    await waitFor('all 1000 messages consumed', () => seen.size === 1000);
  });

  it('group commit and batched acks: messages that arrive together share a transaction and an ack frame; all acked, consumer spans ended', async () => {
    const m = messaging('group');
    await m.start();
    const q = queue('group');
    await m.addTopology(async (ch) => {
      await declareExchange(ch);
      await ch.assertQueue(q, { durable: false });
      await ch.bindQueue(q, EX, 'group.#');
    });
    await m.publishBatch(Array.from({ length: 300 }, (_, n) => ({ exchange: EX, routingKey: 'group.item', payload: { n } })));
    exporter.reset();
    const seen = new Set<number>();
    let transactions = 0;
    let inTransaction = false;
    await m.consume(q, async (msg) => {
      assert.equal(inTransaction, true, 'the handler starts inside the batch transaction');
      seen.add((msg.body as { n: number }).n);
    }, {
      prefetch: 100,
      transaction: (run) => {
        transactions++;
        inTransaction = true;
        try { run(); } finally { inTransaction = false; }
      },
    });
    await waitFor('all 300 messages handled', () => seen.size === 300);
    await waitFor('every message acked', async () => (await adminCh.checkQueue(q)).messageCount === 0 && m.isConnected);
    assert.ok(transactions < 300, `300 messages in ${transactions} transactions`);
    const consumerSpans = (): ReadableSpan[] => exporter.getFinishedSpans().filter((s: ReadableSpan) => s.kind === SpanKind.CONSUMER && s.name === `${q} process`);
    await waitFor('300 consumer spans ended by the batched acks', () => consumerSpans().length === 300);
  });

  it('broker refusals are typed errors (missing exchange, conflicting declare, missing queue, full queue → nack) and the connection keeps working', async () => {
    const m = messaging('refused');
    await m.start();
    await assert.rejects(m.publish(`${EX}.missing`, 'x', { a: 1 }), (e: unknown) => isMessagingError(e) && e.code === 'channel_error' && e.replyCode === 404);
    await m.publish(EX, 'nobody.listens', { a: 2 }); // confirmed (unroutable is not an error)
    await assert.rejects(
      m.addTopology(async (ch) => void (await ch.assertExchange(EX, 'fanout'))), // conflicts with the topic exchange
      (e: unknown) => isMessagingError(e) && e.code === 'topology_failed' && e.replyCode === 406,
    );
    assert.equal(m.isConnected, true, 'a refused declare only closes its own channel');
    await assert.rejects(m.consume(queue('does-not-exist'), async () => undefined), (e: unknown) => isMessagingError(e) && e.code === 'consume_failed' && e.replyCode === 404);
    await m.publish(EX, 'nobody.listens', { a: 3 });

    // a full queue with overflow=reject-publish makes the broker nack
    const full = queue('full');
    await m.addTopology(async (ch) => {
      await ch.assertQueue(full, { durable: false, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
      await ch.bindQueue(full, EX, 'full.*');
    });
    await m.publish(EX, 'full.x', { n: 1 });
    await assert.rejects(m.publish(EX, 'full.x', { n: 2 }), (e: unknown) => isMessagingError(e) && e.code === 'nacked');
    await assert.rejects(
      m.publishBatch([{ exchange: EX, routingKey: 'nobody.listens', payload: 1 }, { exchange: EX, routingKey: 'full.x', payload: 2 }]),
      (e: unknown) => isMessagingError(e) && e.code === 'nacked' && JSON.stringify(e.failedIndices) === '[1]',
    );
  });

  it('a failing handler rejects its message (dead-lettered, not redelivered), logs at warn, and the next message is processed', async () => {
    const registry = new Registry();
    const m = messaging('fail', { registry });
    await m.start();
    const q = queue('fail');
    const dead = queue('fail.dead');
    await m.addTopology(async (ch) => {
      await declareExchange(ch);
      await ch.assertQueue(dead, { durable: false });
      await ch.assertQueue(q, { durable: false, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dead } });
      await ch.bindQueue(q, EX, 'fail.*');
    });
    const handled: string[] = [];
    await m.consume(q, async (msg) => {
      const { id } = msg.body as { id: string };
      handled.push(id);
      if (id === 'poison') throw new Error('cannot brew this');
    }, { prefetch: 1 });
    await m.publish(EX, 'fail.x', { id: 'poison' });
    await m.publish(EX, 'fail.x', { id: 'good' });
    await waitFor('the good message', () => handled.includes('good'));
    const parked = await waitFor('the rejected message in the dead-letter queue', () => adminCh.get(dead, { noAck: true }));
    assert.deepEqual(JSON.parse(parked.content.toString()), { id: 'poison' });
    assert.deepEqual(handled, ['poison', 'good'], 'rejected without requeue: handled once');
    const warn = m.logs.find((l) => l.level === 'warn' && (l.obj as { err?: Error }).err?.message === 'cannot brew this');
    assert.ok(warn, 'the handler error is logged at warn');
    assert.equal((warn.obj as { action: string }).action, 'reject');
    const consumed = await registry.getSingleMetric(METRIC_MESSAGES_CONSUMED)!.get();
    const byOutcome = Object.fromEntries(consumed.values.map((v) => [`${v.labels['outcome']}/${v.labels['action']}`, v.value]));
    assert.deepEqual(byOutcome, { 'error/reject': 1, 'success/ack': 1 });
  });

  it('onError "requeue" redelivers the message; the second attempt succeeds', async () => {
    const m = messaging('requeue');
    await m.start();
    const q = queue('requeue');
    await m.addTopology(async (ch) => {
      await declareExchange(ch);
      await ch.assertQueue(q, { durable: false });
      await ch.bindQueue(q, EX, 'requeue.*');
    });
    const attempts: boolean[] = [];
    const done = deferred();
    await m.consume(q, async (msg) => {
      attempts.push(msg.redelivered);
      if (!msg.redelivered) throw new Error('transient');
      done.resolve();
    }, { onError: () => 'requeue' });
    await m.publish(EX, 'requeue.x', { id: 1 });
    await done.promise;
    assert.deepEqual(attempts, [false, true]);
  });

  it('close() waits for an in-flight handler, which still acks', async () => {
    const m = messaging('inflight');
    await m.start();
    const q = queue('inflight');
    await m.addTopology(async (ch) => {
      await declareExchange(ch);
      await ch.assertQueue(q, { durable: false });
      await ch.bindQueue(q, EX, 'inflight.*');
    });
    const started = deferred();
    let finished = false;
    await m.consume(q, async () => {
      started.resolve();
      await new Promise((r) => setTimeout(r, 500));
      finished = true;
    });
    await m.publish(EX, 'inflight.x', { id: 1 });
    await started.promise;
    const t0 = Date.now();
    await m.close();
    const waited = Date.now() - t0;
    assert.equal(finished, true, 'close() resolved only after the handler finished');
    assert.ok(waited >= 400, `close waited ${waited} ms`);
    assert.equal(m.isConnected, false);
    const { messageCount } = await adminCh.checkQueue(q);
    assert.equal(messageCount, 0, 'the message was acked, not returned to the queue');
  });

  it('close() gives up on a stuck handler after closeTimeoutMs; the message goes back to the queue', async () => {
    const m = messaging('stuck', { closeTimeoutMs: 300 });
    await m.start();
    const q = queue('stuck');
    await m.addTopology(async (ch) => {
      await declareExchange(ch);
      await ch.assertQueue(q, { durable: false });
      await ch.bindQueue(q, EX, 'stuck.*');
    });
    const started = deferred();
    await m.consume(q, async () => {
      started.resolve();
      await new Promise(() => undefined); // never settles
    });
    await m.publish(EX, 'stuck.x', { id: 1 });
    await started.promise;
    const t0 = Date.now();
    await m.close();
    const waited = Date.now() - t0;
    assert.ok(waited < 2000, `close took ${waited} ms`);
    // the unacked message is back in the queue for another instance
    await waitFor('the message back in the queue', async () => (await adminCh.checkQueue(q)).messageCount === 1, 3000);
  });

  it('reconnects after the broker closes the connection: topology re-declared, consumer re-subscribed, publishing resumes', async () => {
    const m = messaging('reconnect');
    await m.start();
    const q = queue('reconnect');
    // exclusive: the broker deletes the queue with the connection, so only a re-declare brings it back
    await m.addTopology(async (ch) => {
      await declareExchange(ch);
      await ch.assertQueue(q, { exclusive: true });
      await ch.bindQueue(q, EX, 'reconnect.*');
    });
    const received: number[] = [];
    await m.consume(q, async (msg) => void received.push((msg.body as { n: number }).n));
    await m.publish(EX, 'reconnect.x', { n: 1 });
    await waitFor('message before the restart', () => received.includes(1));

    const events: string[] = [];
    let connectedAtDisconnect: boolean | undefined;
    let publishWhileDown: Promise<void> | undefined;
    m.on('disconnected', (reason) => {
      events.push(`disconnected: ${reason}`);
      connectedAtDisconnect = m.isConnected;
      publishWhileDown ??= m.publish(EX, 'reconnect.x', { n: -1 });
      publishWhileDown.catch(() => undefined);
    });
    m.on('connected', () => events.push('connected'));
    let disconnectedAt = 0;
    m.once('disconnected', () => (disconnectedAt = Date.now()));
    const how = await forceCloseFromBroker(`test-${run}-reconnect`, m);
    await waitFor('disconnected event', () => events.length > 0);
    assert.equal(connectedAtDisconnect, false);
    await assert.rejects(publishWhileDown!, (e: unknown) => isMessagingError(e) && e.code === 'not_connected', 'publishing while down fails fast');
    await waitFor('reconnect', () => events.includes('connected') && m.isConnected);
    console.log(`reconnected ${Date.now() - disconnectedAt} ms after the broker closed the connection (${how})`);
    if (how.startsWith('rabbitmqctl')) assert.match(events[0]!, /CONNECTION_FORCED - integration test: broker-side close/);

    // the exclusive queue died with the old connection: this only arrives if the topology was
    // re-declared and the consumer re-subscribed
    await m.publish(EX, 'reconnect.x', { n: 2 });
    await waitFor('message after the reconnect', () => received.includes(2));
    assert.deepEqual(received, [1, 2]);
  });
});

/**
 * Closes one connection from the broker side with `rabbitmqctl close_connection`, found by its
 * connection_name (other connections on the shared broker are left alone). Falls back to
 * destroying the client socket if rabbitmqctl is not usable here.
 */
async function forceCloseFromBroker(connectionName: string, m: MessagingT): Promise<string> {
  const run = promisify(execFile);
  try {
    const { stdout } = await run('rabbitmqctl', ['list_connections', 'pid', 'client_properties', '-q', '--no-table-headers'], { timeout: 15_000 });
    const pids = stdout.split('\n').filter((l) => l.includes(`"${connectionName}"`)).map((l) => l.split('\t')[0]!);
    if (pids.length !== 1) throw new Error(`expected one connection named ${connectionName}, found ${pids.length}`);
    await run('rabbitmqctl', ['close_connection', pids[0]!, 'integration test: broker-side close'], { timeout: 15_000 });
    return 'rabbitmqctl close_connection';
  } catch (err) {
    console.log(`rabbitmqctl unavailable (${String(err).split('\n')[0]}); destroying the socket instead`);
    const conn = (m as unknown as { conn: { connection: { stream: { destroy(): void } } } }).conn;
    conn.connection.stream.destroy();
    return 'socket destroyed';
  }
}
