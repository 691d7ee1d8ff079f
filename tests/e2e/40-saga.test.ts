/**
 * The coffee-shop saga through the live stack (real RabbitMQ): each outcome ends in the right
 * final status with the right compensations, the SSE stream delivers every transition, and every
 * step and compensation is one trace in Zipkin and counted in Prometheus.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually, getJson, urls } from '../support/stack.js';
import { logField, promQuery, searchLogs, zipkinTrace } from '../support/backends.js';
import { placeOrder, readStatusStream } from './40-saga-helpers.js';
import type { StatusChange } from './40-saga-helpers.js';
import { gatewayFetch } from '../support/gateway-auth.js';

const statuses = (changes: StatusChange[]): string[] => changes.map((c) => c.status);

async function orderOf(orderId: string): Promise<{ status: string; cancelReason: string | null }> {
  return getJson(`${urls.gateway()}/api/order/v1/orders/${orderId}`);
}

test('happy path: placed → paid → ready → completed, every transition on the SSE stream', async () => {
  const placed = await placeOrder({ memberId: 'm-100', items: [{ sku: 'flat-white', quantity: 2 }] });
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  assert.equal(placed.body.totalCents, 684);
  const changes = await readStatusStream(placed.body.orderId);
  assert.deepEqual(statuses(changes), ['placed', 'paid', 'ready', 'completed']);
  assert.equal(new Set(changes.map((c) => c.eventId)).size, changes.length, 'a transition was delivered twice');
  assert.equal((await orderOf(placed.body.orderId)).status, 'completed');
  const status = await getJson<{ status: string }>(`${urls.gateway()}/api/status/v1/orders/${placed.body.orderId}/status`);
  assert.equal(status.status, 'completed');
});

test('payment declined: placed → payment_declined → cancelled; nothing brewed, nothing refunded', async () => {
  // 15 × 380 = 5700 cents, over the simulated card limit (5000)
  const placed = await placeOrder({ items: [{ sku: 'flat-white', quantity: 15 }] });
  assert.equal(placed.status, 201);
  const changes = await readStatusStream(placed.body.orderId);
  assert.deepEqual(statuses(changes), ['placed', 'payment_declined', 'cancelled']);
  assert.equal(changes[2]!.detail, 'payment_declined');
  const order = await orderOf(placed.body.orderId);
  assert.deepEqual([order.status, order.cancelReason], ['cancelled', 'payment_declined']);
});

test('out of stock: paid, rejected, then both compensations: refunded and cancelled; one trace', async (t) => {
  const correlationId = `e2e-oos-${randomUUID().slice(0, 8)}`;
  const placed = await placeOrder({ items: [{ sku: 'cold-brew', quantity: 1 }] }, { 'x-correlation-id': correlationId });
  assert.equal(placed.status, 201);
  const changes = await readStatusStream(placed.body.orderId);
  const seen = statuses(changes);
  assert.deepEqual(seen.slice(0, 3), ['placed', 'paid', 'rejected']);
  // refund (payment) and cancel (order) both react to coffee.rejected: either may come first
  assert.deepEqual([...seen.slice(3)].sort(), ['cancelled', 'refunded']);
  assert.ok(changes.every((c) => c.status === 'placed' || c.status === 'paid' || c.detail === 'out_of_stock'), JSON.stringify(changes));
  const order = await orderOf(placed.body.orderId);
  assert.deepEqual([order.status, order.cancelReason], ['cancelled', 'out_of_stock']);

  await t.test('every step and compensation is a span of the order\'s one trace', async () => {
    const docs = await eventually('the order\'s log lines', async () => {
      const found = await searchLogs('correlation.id', correlationId);
      const services = new Set(found.map((d) => logField(d, 'service.name')));
      return ['order', 'payment', 'barista', 'status'].every((s) => services.has(s)) ? found : undefined;
    }, 45_000, 1000);
    const traceIds = new Set(docs.map((d) => logField(d, 'trace.id')).filter(Boolean));
    assert.equal(traceIds.size, 1, `one trace expected, got ${[...traceIds].join(', ')}`);
    const traceId = [...traceIds][0]!;
    const spans = await eventually('the saga\'s spans in Zipkin', async () => {
      const s = await zipkinTrace(traceId);
      const consumers = s.filter((x) => x.kind === 'CONSUMER').map((x) => x.localEndpoint?.serviceName);
      // payment consumes order.placed and coffee.rejected (refund); order consumes coffee.rejected (cancel)
      return consumers.filter((n) => n === 'payment').length >= 2 && consumers.includes('barista') && consumers.includes('order') ? s : undefined;
    }, 30_000, 1000);
    const producers = new Set(spans.filter((s) => s.kind === 'PRODUCER').map((s) => s.localEndpoint?.serviceName));
    for (const svc of ['order', 'payment', 'barista']) assert.ok(producers.has(svc), `no PRODUCER span from ${svc}`);
  });
});

test('business metrics: placed, completed, cancelled by reason, compensations by reason, latency and brew time', async () => {
  const checks: Array<[string, string]> = [
    ['orders placed', 'sum(brewops_orders_placed_total)'],
    ['orders completed', 'sum(brewops_orders_completed_total)'],
    ['orders cancelled (payment declined)', 'sum(brewops_orders_cancelled_total{reason="payment_declined"})'],
    ['orders cancelled (out of stock)', 'sum(brewops_orders_cancelled_total{reason="out_of_stock"})'],
    ['refund compensations', 'sum(brewops_compensations_total{reason="out_of_stock", action="refund"})'],
    ['cancel compensations', 'sum(brewops_compensations_total{reason="out_of_stock", action="cancel_order"})'],
    ['order latency histogram', 'sum(brewops_order_latency_seconds_count{outcome="completed"})'],
    ['brew time histogram', 'sum(brewops_brew_duration_seconds_count)'],
  ];
  for (const [what, query] of checks) {
    const value = await eventually(`${what} in Prometheus`, async () => {
      const r = await promQuery(query);
      const v = Number(r[0]?.value[1] ?? '0');
      return v > 0 ? v : undefined;
    }, 45_000, 1000);
    console.log(`  ${what}: ${value}`);
  }
});

test('Idempotency-Key: a retried POST gets the same order; the key with another body is 409', async () => {
  const key = `e2e-${randomUUID()}`;
  const body = { memberId: 'm-200', items: [{ sku: 'espresso', quantity: 1 }] };
  const first = await placeOrder(body, { 'idempotency-key': key });
  const again = await placeOrder(body, { 'idempotency-key': key });
  assert.equal(first.status, 201);
  assert.equal(again.status, 201);
  assert.deepEqual(again.body, first.body, 'a retried request placed a second order');
  const other = await placeOrder({ ...body, items: [{ sku: 'espresso', quantity: 2 }] }, { 'idempotency-key': key });
  assert.equal(other.status, 409);
  assert.equal((other.body as unknown as { error: { code: string } }).error.code, 'idempotency_key_reused');
});

test('HTTP semantics: 400 with code and field, 404, 413, 415', async () => {
  const bad = await placeOrder({ items: [{ sku: 'flat-white', quantity: 0 }] });
  assert.equal(bad.status, 400);
  const err = (bad.body as unknown as { error: { code: string; details?: { field?: string } } }).error;
  assert.deepEqual([err.code, err.details?.field], ['invalid_order', 'items.0.quantity']);
  assert.equal((await gatewayFetch(`${urls.gateway()}/api/order/v1/orders/${randomUUID()}`)).status, 404);
  const text = await gatewayFetch(`${urls.gateway()}/api/order/v1/orders`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'coffee' });
  assert.equal(text.status, 415);
  const huge = await gatewayFetch(`${urls.gateway()}/api/order/v1/orders`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ items: [{ sku: 'x'.repeat(2 * 1024 * 1024), quantity: 1 }] }),
  });
  assert.equal(huge.status, 413);
  const spec = await getJson<{ openapi: string; paths: Record<string, unknown> }>(`${urls.gateway()}/api/order/v1/openapi.json`);
  assert.ok(spec.openapi.startsWith('3.') && '/v1/orders' in spec.paths);
});
