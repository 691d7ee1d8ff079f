import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEvent } from '@brewops/contracts';
import { isAppError, openDatabase, OutboxStore, ProcessedMessages } from '@brewops/platform';
import { ORDER_MIGRATIONS } from '../../src/db/schema.js';
import { OrdersRepo } from '../../src/db/orders-repo.js';
import { OrderService } from '../../src/handlers/order-service.js';
import { parsePlaceOrder, priceOrder } from '../../src/handlers/place-order.js';
import { requestHash } from '../../src/handlers/idempotency.js';

function setup() {
  const db = openDatabase({ file: ':memory:', migrations: ORDER_MIGRATIONS });
  const repo = new OrdersRepo(db);
  const outbox = new OutboxStore(db);
  let wakes = 0;
  const service = new OrderService(repo, outbox, new ProcessedMessages(db), undefined, () => wakes++);
  return { repo, outbox, service, wakes: () => wakes };
}

const body = { memberId: 'm-100', items: [{ sku: 'flat-white', quantity: 2 }] };
const newOrder = () => priceOrder(parsePlaceOrder(body), { kind: 'found', memberId: 'm-100', discountPercent: 10 });

test('placing an order stores it and its order.placed event in one transaction', () => {
  const { repo, outbox, service, wakes } = setup();
  const order = newOrder();
  const res = service.place(order);
  assert.equal(res.statusCode, 201);
  assert.equal(repo.get(order.orderId)?.status, 'placed');
  const rows = outbox.pending(10);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.routingKey, 'order.placed');
  assert.equal((JSON.parse(rows[0]!.body) as { payload: { totalCents: number } }).payload.totalCents, 684);
  assert.equal(wakes(), 1);
});

test('a retried request with the same Idempotency-Key gets the first response; another body gets 409', () => {
  const { service, outbox } = setup();
  const hash = requestHash(body);
  const first = service.place(newOrder(), { key: 'k-1', hash });
  // the retry races the first (both priced a new order): the stored response wins, no second order
  const second = service.place(newOrder(), { key: 'k-1', hash });
  assert.deepEqual(second, first);
  assert.equal(outbox.pending(10).length, 1, 'a retried request must not publish a second order.placed');
  assert.throws(() => service.place(newOrder(), { key: 'k-1', hash: requestHash({ other: true }) }),
    (e: unknown) => isAppError(e) && e.status === 409 && e.code === 'idempotency_key_reused');
});

test('saga events: the same message twice is applied once; a decline cancels with its reason', () => {
  const { repo, service, outbox } = setup();
  const order = newOrder();
  service.place(order);
  const failed = createEvent('payment.failed', { orderId: order.orderId, amountCents: 684, reason: 'limit_exceeded' });
  assert.equal(service.apply(failed).kind, 'cancel');
  assert.equal(service.apply(failed).kind, 'duplicate');
  const stored = repo.get(order.orderId)!;
  assert.equal(stored.status, 'cancelled');
  assert.equal(stored.cancelReason, 'payment_declined');
  assert.deepEqual(outbox.pending(10).map((r) => r.routingKey), ['order.placed', 'order.cancelled']);
  // a late coffee.ready for a cancelled order changes nothing
  assert.equal(service.apply(createEvent('coffee.ready', { orderId: order.orderId, brewMs: 1 })).kind, 'ignore');
  assert.equal(repo.get(order.orderId)!.status, 'cancelled');
});

test('an event for an order this instance does not have yet is reported, not applied', () => {
  const { service } = setup();
  const ready = createEvent('coffee.ready', { orderId: 'nope', brewMs: 1 });
  assert.equal(service.apply(ready).kind, 'unknown_order');
  // not claimed: a retry may still apply it
  assert.equal(service.apply(ready).kind, 'unknown_order');
});
