/**
 * Transactional outbox under a crash: a private order instance commits an order while its relay
 * is held back (fault injection), is killed with SIGKILL before publishing, and is restarted on
 * the same database: the order.placed event is still published and the saga completes.
 * The instance registers as `order-crashtest` (the gateway never routes to it) and consumes
 * saga events from its own queue, deleted at the end; the shared order instance parks the saga
 * events about this foreign order, and the test takes them out again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import * as amqp from 'amqplib';
import { eventually, getJson, sleep, urls } from '../support/stack.js';
import { AMQP_URL, readStatusStream, startServiceProcess, takeFromQueue } from './40-saga-helpers.js';
import type { TestProcess } from './40-saga-helpers.js';
import { gatewayFetch } from '../support/gateway-auth.js';

const queue = `order.saga-events.e2e-${randomUUID().slice(0, 8)}`;
const stateDir = mkdtempSync(join(tmpdir(), 'brewops-e2e-order-'));

const startOrder = (extraEnv: Record<string, string>): Promise<TestProcess> =>
  startServiceProcess('order', 'order-crashtest', { BREWOPS_STATE_DIR: stateDir, ORDER_SAGA_QUEUE: queue, ...extraEnv });

async function deleteQueues(): Promise<void> {
  const conn = await amqp.connect(AMQP_URL);
  const ch = await conn.createChannel();
  for (const q of [queue, `${queue}.retry.1`, `${queue}.retry.2`, `${queue}.retry.3`, `${queue}.parked`]) await ch.deleteQueue(q);
  await ch.close();
  await conn.close();
}

test('kill -9 between commit and publish, then restart: the event is still published', async (t) => {
  t.after(async () => {
    await deleteQueues().catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  });
  const first = await startOrder({ ORDER_RELAY_START_DELAY_MS: '600000' });
  let second: TestProcess | undefined;
  try {
    const res = await fetch(`${first.url}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ memberId: 'm-300', items: [{ sku: 'filter', quantity: 1 }] }),
    });
    const order = (await res.json()) as { orderId: string };
    assert.equal(res.status, 201, JSON.stringify(order));
    await sleep(1500);
    assert.equal((await gatewayFetch(`${urls.gateway()}/api/status/v1/orders/${order.orderId}/status`)).status, 404, 'published before the crash: the fault injection did not hold the relay');
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));

    const restarted = await startOrder({});
    second = restarted;
    const changes = await readStatusStream(order.orderId, 20_000);
    assert.deepEqual(changes.map((c) => c.status), ['placed', 'paid', 'ready', 'completed']);
    const stored = await eventually('the restarted order instance to complete the order', async () => {
      const o = await getJson<{ status: string }>(`${restarted.url}/v1/orders/${order.orderId}`);
      return o.status === 'completed' ? o : undefined;
    }, 10_000, 300);
    assert.equal(stored.status, 'completed');
    // The shared order instance got the same coffee.ready for an order it does not own: it must
    // park it (visible, replayable), not drop it. Taking it out also leaves the parking queue clean.
    const ready = changes.find((c) => c.status === 'ready')!;
    const parked = await eventually('the shared order instance to park the foreign coffee.ready', () =>
      takeFromQueue('order.saga-events.parked', ready.eventId), 30_000, 1000);
    assert.match(String(parked['x-brewops-parked-reason']), /no order/);
  } finally {
    if (first.proc.exitCode === null && first.proc.signalCode === null) first.proc.kill('SIGKILL');
    await second?.stop();
  }
});
