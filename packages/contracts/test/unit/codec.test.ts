import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEvent, isContractError, parseEvent } from '../../src/index.js';

const placed = {
  orderId: '0b9f3c1e-1111-4222-8333-944445555666',
  memberId: 'm-100',
  items: [{ sku: 'flat-white', quantity: 2, unitPriceCents: 380 }],
  totalCents: 684,
  pricingFallback: null,
  placedAt: '2026-01-01T10:00:00.000Z',
};

test('an event a producer creates is accepted by its consumer', () => {
  const e = createEvent('order.placed', placed, { correlationId: 'c-1' });
  assert.equal(e.version, 1);
  const r = parseEvent(JSON.parse(JSON.stringify(e)));
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.equal(r.event.type, 'order.placed');
  assert.deepEqual(r.event.payload, placed);
  assert.equal(r.event.correlationId, 'c-1');
});

test('a producer cannot create an event that breaks its schema', () => {
  assert.throws(
    () => createEvent('order.placed', { ...placed, totalCents: -1 }),
    (e: unknown) => isContractError(e) && e.field === 'payload.totalCents',
  );
});

test('consumers reject malformed envelopes, unknown types, wrong versions and bad payloads', () => {
  const good = createEvent('coffee.ready', { orderId: 'o-1', brewMs: 12 });
  const cases: Array<[unknown, RegExp]> = [
    ['not json', /envelope/],
    [{ ...good, messageId: undefined }, /event\.messageId/],
    [{ ...good, type: 'coffee.spilled' }, /unknown event type/],
    [{ ...good, version: 2 }, /unsupported version 2/],
    [{ ...good, payload: { orderId: 'o-1' } }, /payload\.brewMs/],
    [{ ...good, payload: { ...good.payload, extra: 1 } }, /payload/],
  ];
  for (const [body, reason] of cases) {
    const r = parseEvent(body);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, reason);
  }
});
