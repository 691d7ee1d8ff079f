import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEvent } from '@brewops/contracts';
import { orderTransition } from '../../src/handlers/saga.js';

const id = 'o-1';

test('saga transitions of an order', () => {
  assert.deepEqual(orderTransition('placed', createEvent('coffee.ready', { orderId: id, brewMs: 3 })), { kind: 'complete', status: 'completed' });
  assert.deepEqual(orderTransition('placed', createEvent('coffee.rejected', { orderId: id, reason: 'out_of_stock', sku: 'cold-brew' })),
    { kind: 'cancel', status: 'cancelled', reason: 'out_of_stock' });
  assert.deepEqual(orderTransition('placed', createEvent('payment.failed', { orderId: id, amountCents: 1, reason: 'limit_exceeded' })),
    { kind: 'cancel', status: 'cancelled', reason: 'payment_declined' });
  assert.equal(orderTransition('placed', createEvent('order.completed', { orderId: id })).kind, 'ignore');
  for (const done of ['completed', 'cancelled'] as const) {
    assert.equal(orderTransition(done, createEvent('coffee.ready', { orderId: id, brewMs: 3 })).kind, 'ignore');
  }
});
