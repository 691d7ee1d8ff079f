import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '@brewops/platform';
import { parsePlaceOrder, priceOrder } from '../../src/handlers/place-order.js';

function errorOf(fn: () => unknown): { status: number; code: string; details?: unknown } {
  try {
    fn();
  } catch (e) {
    assert.ok(isAppError(e), `not an AppError: ${String(e)}`);
    return e as unknown as { status: number; code: string; details?: unknown };
  }
  assert.fail('no error thrown');
}

test('a valid order is priced with the member discount', () => {
  const body = parsePlaceOrder({ memberId: 'm-1', items: [{ sku: 'flat-white', quantity: 2 }, { sku: 'espresso', quantity: 1 }] });
  const order = priceOrder(body, { kind: 'found', memberId: 'm-1', discountPercent: 10 });
  assert.equal(order.subtotalCents, 2 * 380 + 250);
  assert.equal(order.totalCents, Math.round(1010 * 0.9));
  assert.equal(order.pricingFallback, null);
  assert.equal(order.memberId, 'm-1');
});

test('member unavailable → guest price, flagged', () => {
  const body = parsePlaceOrder({ memberId: 'm-1', items: [{ sku: 'espresso', quantity: 2 }] });
  const order = priceOrder(body, { kind: 'unavailable', memberId: 'm-1', cause: 'call_failed' });
  assert.equal(order.totalCents, 500);
  assert.equal(order.pricingFallback, 'member_unavailable');
});

test('invalid input names the field', () => {
  assert.deepEqual(
    (({ status, code, details }) => ({ status, code, details }))(errorOf(() => parsePlaceOrder({ items: [{ sku: 'espresso', quantity: 0 }] }))),
    { status: 400, code: 'invalid_order', details: { field: 'items.0.quantity' } },
  );
  assert.equal(errorOf(() => parsePlaceOrder({ items: [] })).code, 'invalid_order');
  assert.equal(errorOf(() => parsePlaceOrder({ items: [{ sku: 'espresso', quantity: 1 }], extra: true })).code, 'invalid_order');
  assert.equal(errorOf(() => parsePlaceOrder('nope')).code, 'invalid_order');
  const unknown = errorOf(() => parsePlaceOrder({ items: [{ sku: 'tea', quantity: 1 }] }));
  assert.equal(unknown.code, 'unknown_sku');
  assert.deepEqual(unknown.details, { field: 'items.0.sku' });
});
