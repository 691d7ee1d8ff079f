import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextHop, openDatabase, OutboxRelay, OutboxStore, ProcessedMessages } from '@brewops/platform';
import type { PublishOptions } from '@brewops/platform';

const logger = { info() {}, warn() {}, error() {}, debug() {} };

function fakeBroker(failEvery = 0) {
  const published: Array<{ routingKey: string; messageId: string | undefined; body: unknown }> = [];
  let n = 0;
  let inflight = 0;
  let maxInflight = 0;
  return {
    published,
    maxInflight: () => maxInflight,
    async publish(_exchange: string, routingKey: string, payload: unknown, opts?: PublishOptions): Promise<void> {
      inflight++;
      maxInflight = Math.max(maxInflight, inflight);
      await new Promise((r) => setTimeout(r, 1));
      inflight--;
      if (failEvery > 0 && ++n % failEvery === 0) throw new Error('unconfirmed');
      published.push({ routingKey, messageId: opts?.messageId, body: JSON.parse((payload as Buffer).toString('utf8')) });
    },
  };
}

function store(count: number): OutboxStore {
  const s = new OutboxStore(openDatabase({ file: ':memory:' }));
  for (let i = 0; i < count; i++) s.add({ messageId: `m-${i}`, routingKey: 'order.placed', body: { i } });
  return s;
}

test('the relay publishes a batch with its confirms awaited together, then marks the rows sent', async () => {
  const s = store(50);
  const broker = fakeBroker();
  const relay = new OutboxRelay({ store: s, messaging: broker, exchange: 'x', logger, batchSize: 20 });
  assert.deepEqual(await relay.relayOnce(), { confirmed: 20, failed: 0 });
  assert.equal(broker.maxInflight(), 20, 'confirms were awaited one by one');
  await relay.relayOnce();
  await relay.relayOnce();
  assert.equal(s.pendingCount(), 0);
  assert.deepEqual(broker.published.map((p) => p.messageId), Array.from({ length: 50 }, (_, i) => `m-${i}`));
  assert.deepEqual(broker.published[7]!.body, { i: 7 });
});

test('unconfirmed rows stay pending and go out in a later round', async () => {
  const s = store(10);
  const broker = fakeBroker(3);
  const relay = new OutboxRelay({ store: s, messaging: broker, exchange: 'x', logger });
  const first = await relay.relayOnce();
  assert.deepEqual(first, { confirmed: 7, failed: 3 });
  assert.equal(s.pendingCount(), 3);
  while (s.pendingCount() > 0) await relay.relayOnce();
  assert.equal(new Set(broker.published.map((p) => p.messageId)).size, 10);
});

test('the running relay publishes rows left by a previous process (crash between commit and publish)', async () => {
  const s = store(3);
  const broker = fakeBroker();
  const relay = new OutboxRelay({ store: s, messaging: broker, exchange: 'x', logger, pollMs: 10 });
  relay.start();
  for (let i = 0; i < 100 && s.pendingCount() > 0; i++) await new Promise((r) => setTimeout(r, 10));
  await relay.stop();
  assert.equal(broker.published.length, 3);
});

test('retry schedule: one delay queue per step, then the parking queue', () => {
  const policy = { delaysMs: [100, 1000] };
  assert.deepEqual(nextHop('q', 1, policy), { kind: 'retry', queue: 'q.retry.1', delayMs: 100 });
  assert.deepEqual(nextHop('q', 2, policy), { kind: 'retry', queue: 'q.retry.2', delayMs: 1000 });
  assert.deepEqual(nextHop('q', 3, policy), { kind: 'park', queue: 'q.parked' });
});

test('processed message IDs: a duplicate claims nothing; purged IDs are forgotten', () => {
  const processed = new ProcessedMessages(openDatabase({ file: ':memory:' }));
  assert.equal(processed.claim('c', 'm-1', 1000), true);
  assert.equal(processed.claim('c', 'm-1', 2000), false);
  assert.equal(processed.claim('other', 'm-1', 2000), true, 'each consumer keeps its own record');
  assert.equal(processed.purge(1500), 1);
  assert.equal(processed.claim('c', 'm-1', 3000), true);
});
