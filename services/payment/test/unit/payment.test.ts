import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEvent } from '@brewops/contracts';
import { createMetrics, openDatabase, OutboxStore, ProcessedMessages } from '@brewops/platform';
import { createPaymentMetrics } from '../../src/metrics.js';
import { PAYMENT_MIGRATIONS } from '../../src/db/schema.js';
import { PaymentsRepo } from '../../src/db/payments-repo.js';
import { decideCharge, decideRefund } from '../../src/handlers/decide.js';
import { NotYetError, PaymentService } from '../../src/handlers/payment-service.js';

const placed = (orderId: string, totalCents: number) => createEvent('order.placed', {
  orderId, memberId: null, totalCents, pricingFallback: null, placedAt: new Date().toISOString(),
  items: [{ sku: 'espresso', quantity: 1, unitPriceCents: totalCents }],
});

function setup(limit = 5000) {
  const db = openDatabase({ file: ':memory:', migrations: PAYMENT_MIGRATIONS });
  const repo = new PaymentsRepo(db);
  const outbox = new OutboxStore(db);
  return { repo, outbox, service: new PaymentService(repo, outbox, new ProcessedMessages(db), limit, undefined, () => undefined) };
}

test('charges up to the limit, declines above it', () => {
  assert.deepEqual(decideCharge(5000, 5000), { status: 'charged' });
  assert.deepEqual(decideCharge(5001, 5000), { status: 'declined', reason: 'limit_exceeded' });
});

test('refund only what was charged; wait when the charge is not there yet', () => {
  const p = { orderId: 'o', paymentId: 'p', amountCents: 1, reason: null, updatedAt: '' };
  assert.equal(decideRefund({ ...p, status: 'charged' }), 'refund');
  assert.equal(decideRefund({ ...p, status: 'refunded' }), 'none');
  assert.equal(decideRefund({ ...p, status: 'declined' }), 'none');
  assert.equal(decideRefund(undefined), 'wait');
});

test('order.placed delivered twice charges once and publishes one payment.succeeded', () => {
  const { service, outbox, repo } = setup();
  const e = placed('o-1', 500);
  assert.equal(service.apply(e), 'charged');
  assert.equal(service.apply(e), 'duplicate');
  assert.equal(repo.get('o-1')?.status, 'charged');
  assert.deepEqual(outbox.pending(10).map((r) => r.routingKey), ['payment.succeeded']);
});

test('a declined charge publishes payment.failed; a rejected coffee refunds a charge once', () => {
  const { service, outbox, repo } = setup();
  assert.equal(service.apply(placed('o-2', 9000)), 'declined');
  service.apply(placed('o-3', 700));
  const rejected = createEvent('coffee.rejected', { orderId: 'o-3', reason: 'out_of_stock', sku: 'cold-brew' });
  assert.equal(service.apply(rejected), 'refunded');
  assert.equal(service.apply(rejected), 'duplicate');
  assert.equal(repo.get('o-3')?.status, 'refunded');
  assert.deepEqual(outbox.pending(10).map((r) => r.routingKey), ['payment.failed', 'payment.succeeded', 'payment.refunded']);
});

test('a refund before its charge is retried, not lost (nothing recorded)', () => {
  const { service } = setup();
  const rejected = createEvent('coffee.rejected', { orderId: 'o-9', reason: 'out_of_stock', sku: 'cold-brew' });
  assert.throws(() => service.apply(rejected), NotYetError);
  service.apply(placed('o-9', 100));
  assert.equal(service.apply(rejected), 'refunded');
});

test('a batch that rolls back counts nothing: its redelivery is counted once (group commit)', async () => {
  const db = openDatabase({ file: ':memory:', migrations: PAYMENT_MIGRATIONS });
  const repo = new PaymentsRepo(db);
  const metrics = createPaymentMetrics(createMetrics({ service: 'payment', instanceId: 'payment-t', defaultMetrics: false }));
  let wakes = 0;
  const service = new PaymentService(repo, new OutboxStore(db), new ProcessedMessages(db), 5000, metrics, () => wakes++);
  const e = placed('o-gc', 500);
  // the consumer's batch: this message's effect, then the batch fails (another message's handler threw, or the commit did)
  assert.throws(() => service.transaction(() => {
    assert.equal(service.apply(e), 'charged');
    throw new Error('commit failed');
  }), /commit failed/);
  assert.equal(repo.get('o-gc'), undefined, 'rolled back');
  const charged = async (): Promise<number> => (await metrics.payments.get()).values.find((v) => v.labels['outcome'] === 'charged')?.value ?? 0;
  assert.equal(await charged(), 0, 'nothing counted for a rolled-back batch');
  assert.equal(wakes, 0, 'the relay is not woken for rows that are not there');
  // the broker delivers it again
  service.transaction(() => assert.equal(service.apply(e), 'charged'));
  assert.equal(repo.get('o-gc')?.status, 'charged');
  assert.equal(await charged(), 1, 'one charge, counted once');
  assert.equal(wakes, 1);
});
