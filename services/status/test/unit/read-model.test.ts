import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEvent } from '@brewops/contracts';
import { openDatabase, ProcessedMessages } from '@brewops/platform';
import { STATUS_MIGRATIONS } from '../../src/db/schema.js';
import { StatusRepo } from '../../src/db/status-repo.js';
import { changeOf, isFinished, supersedes } from '../../src/handlers/read-model.js';
import { sseFrame } from '../../src/handlers/status-feed.js';
import { envelopeOf } from '../../src/events/archive.js';

const id = 'o-1';

test('the furthest status wins, whatever order the events arrive in', () => {
  assert.equal(supersedes(undefined, 'placed'), true);
  assert.equal(supersedes('placed', 'paid'), true);
  assert.equal(supersedes('completed', 'paid'), false);
  assert.equal(supersedes('refunded', 'cancelled'), true);
  assert.equal(supersedes('cancelled', 'refunded'), false);
});

test('the read model applies each event once and keeps the history in arrival order', () => {
  const db = openDatabase({ file: ':memory:', migrations: STATUS_MIGRATIONS });
  const repo = new StatusRepo(db, new ProcessedMessages(db));
  const placed = changeOf(createEvent('order.placed', {
    orderId: id, memberId: null, totalCents: 250, pricingFallback: null, placedAt: new Date().toISOString(),
    items: [{ sku: 'espresso', quantity: 1, unitPriceCents: 250 }],
  }));
  assert.equal(repo.apply(placed), true);
  assert.equal(repo.apply(placed), false);
  repo.apply(changeOf(createEvent('order.cancelled', { orderId: id, reason: 'out_of_stock' })));
  repo.apply(changeOf(createEvent('payment.refunded', { orderId: id, paymentId: 'p', amountCents: 250, reason: 'out_of_stock' })));
  const s = repo.get(id)!;
  assert.equal(s.status, 'cancelled');
  assert.deepEqual(s.history.map((h) => h.status), ['placed', 'cancelled', 'refunded']);
  assert.equal(s.history[1]!.detail, 'out_of_stock');
  assert.equal(repo.get('o-2'), undefined);
});

test('an SSE frame carries the change as one JSON data line', () => {
  const change = changeOf(createEvent('coffee.ready', { orderId: id, brewMs: 2.5 }));
  const frame = sseFrame(change, 3);
  assert.match(frame, /^id: 3\nevent: status\ndata: \{.*\}\n\n$/);
  assert.deepEqual(JSON.parse(frame.split('\n')[2]!.slice(6)), change);
});

test('an order is finished when completed, or cancelled with its refund when the coffee was rejected', () => {
  assert.equal(isFinished([{ status: 'placed' }, { status: 'paid' }, { status: 'ready' }]), false);
  assert.equal(isFinished([{ status: 'placed' }, { status: 'completed' }]), true);
  assert.equal(isFinished([{ status: 'payment_declined', detail: 'limit_exceeded' }, { status: 'cancelled', detail: 'payment_declined' }]), true);
  assert.equal(isFinished([{ status: 'rejected', detail: 'out_of_stock' }, { status: 'cancelled', detail: 'out_of_stock' }]), false);
  assert.equal(isFinished([{ status: 'cancelled', detail: 'out_of_stock' }, { status: 'refunded', detail: 'out_of_stock' }]), true);
});

test('an archived event document is turned back into the event as published', () => {
  const e = createEvent('coffee.ready', { orderId: id, brewMs: 1.5 }, { correlationId: 'c-1' });
  const doc = { ...e, '@timestamp': e.occurredAt, orderId: id, routingKey: e.type };
  assert.deepEqual(envelopeOf(doc), e);
});
