/**
 * Idempotent consumers and the retry → parking path, against the live services and RabbitMQ:
 * a message delivered twice is applied once; a malformed message is retried with increasing
 * delay, then parked with its reason, while valid messages behind it are processed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually, getJson, sleep, urls } from '../support/stack.js';
import { placeOrder, readStatusStream, sendToQueue, takeFromQueue } from './40-saga-helpers.js';
import { gatewayFetch } from '../support/gateway-auth.js';

const STATUS_QUEUE = 'status.read-model';
const PAYMENT_QUEUE = 'payment.saga-events';

interface OrderView {
  orderId: string;
  memberId: string | null;
  items: Array<{ sku: string; quantity: number; unitPriceCents: number }>;
  totalCents: number;
  pricingFallback: string | null;
  placedAt: string;
  status: string;
}
interface StatusView { status: string; history: Array<{ status: string; eventId: string; at: string }> }

const statusOf = (orderId: string): Promise<StatusView> => getJson(`${urls.gateway()}/api/status/v1/orders/${orderId}/status`);

function orderPlacedEvent(messageId: string, occurredAt: string, o: Omit<OrderView, 'status'>): string {
  return JSON.stringify({
    messageId, type: 'order.placed', version: 1, occurredAt,
    payload: { orderId: o.orderId, memberId: o.memberId, items: o.items, totalCents: o.totalCents, pricingFallback: o.pricingFallback, placedAt: o.placedAt },
  });
}

test('the same message delivered twice is applied once (payment and the status read model)', async () => {
  const placed = await placeOrder({ items: [{ sku: 'espresso', quantity: 1 }] });
  assert.equal(placed.status, 201);
  await readStatusStream(placed.body.orderId);
  const order = await getJson<OrderView>(`${urls.gateway()}/api/order/v1/orders/${placed.body.orderId}`);
  const before = await statusOf(order.orderId);
  const original = before.history.find((h) => h.status === 'placed')!;
  // the very order.placed message (same message ID) again, twice, to two consumers
  const body = orderPlacedEvent(original.eventId, original.at, order);
  await sendToQueue(PAYMENT_QUEUE, [{ body, messageId: original.eventId }, { body, messageId: original.eventId }]);
  await sendToQueue(STATUS_QUEUE, [{ body, messageId: original.eventId }, { body, messageId: original.eventId }]);
  await sleep(3000);
  const after = await statusOf(order.orderId);
  assert.deepEqual(after.history.map((h) => h.status), before.history.map((h) => h.status),
    'a redelivered order.placed changed the read model or charged (and brewed) again');
  assert.equal(after.status, 'completed');
  assert.equal((await getJson<OrderView>(`${urls.gateway()}/api/order/v1/orders/${order.orderId}`)).status, 'completed');
});

test('a malformed message is retried, then parked with its reason; valid messages behind it flow', async () => {
  const malformedId = `e2e-malformed-${randomUUID()}`;
  const fakes = Array.from({ length: 3 }, () => ({
    orderId: `e2e-fake-${randomUUID().slice(0, 18)}`,
    memberId: null,
    items: [{ sku: 'espresso', quantity: 1, unitPriceCents: 250 }],
    totalCents: 250,
    pricingFallback: null,
    placedAt: new Date().toISOString(),
  }));
  const started = Date.now();
  await sendToQueue(STATUS_QUEUE, [
    { body: '{"type":"order.placed","payload":', messageId: malformedId },
    ...fakes.map((f) => {
      const id = randomUUID();
      return { body: orderPlacedEvent(id, new Date().toISOString(), f), messageId: id };
    }),
  ]);
  for (const f of fakes) {
    await eventually(`status of ${f.orderId} (behind the malformed message)`, async () => {
      const r = await gatewayFetch(`${urls.gateway()}/api/status/v1/orders/${f.orderId}/status`);
      return r.status === 200 ? r : undefined;
    }, 5_000, 200);
  }
  const flowedMs = Date.now() - started;
  const headers = await eventually('the malformed message in the parking queue', () => takeFromQueue(`${STATUS_QUEUE}.parked`, malformedId), 40_000, 1000);
  const parkedMs = Date.now() - started;
  assert.match(String(headers['x-brewops-parked-reason']), /invalid event/);
  assert.equal(Number(headers['x-brewops-attempt']), 4, 'parked after 4 attempts (3 retries at 0.5 s, 2 s, 8 s)');
  assert.ok(parkedMs >= 10_000, `parked after ${parkedMs} ms: the retry delays were not applied`);
  console.log(`  valid messages processed after ${flowedMs} ms; malformed one parked after ${parkedMs} ms`);
});
