/**
 * Orders per second through the whole saga (order → payment → barista → order completed) over
 * the real RabbitMQ, each service with its own SQLite database, transactional outbox and
 * idempotent consumer, in one process without HTTP or tracing. Two relay modes, measured in the
 * same run: confirms batched (up to 500 publishes in flight, their confirms awaited together)
 * against the per-message baseline (one publish, wait for its confirm, next).
 *
 *   npx tsx bench/orders.ts [orders=3000]       (BENCH_ONLY=batched skips the slow baseline)
 *
 * Uses a private exchange and queues (deleted at the end); needs RabbitMQ on AMQP_URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseEvent } from '@brewops/contracts';
import { Messaging, openDatabase, OutboxRelay, OutboxStore, ProcessedMessages } from '@brewops/platform';
import type { ConsumedMessage } from '@brewops/platform';
import { ORDER_MIGRATIONS } from '../services/order/dist/src/db/schema.js';
import { PAYMENT_MIGRATIONS } from '../services/payment/dist/src/db/schema.js';
import { BARISTA_MIGRATIONS } from '../services/barista/dist/src/db/schema.js';
import { OrdersRepo } from '../services/order/dist/src/db/orders-repo.js';
import { OrderService } from '../services/order/dist/src/handlers/order-service.js';
import { parsePlaceOrder, priceOrder } from '../services/order/dist/src/handlers/place-order.js';
import { PaymentsRepo } from '../services/payment/dist/src/db/payments-repo.js';
import { PaymentService } from '../services/payment/dist/src/handlers/payment-service.js';
import { BarRepo } from '../services/barista/dist/src/db/bar-repo.js';
import { BaristaService } from '../services/barista/dist/src/handlers/barista-service.js';

const AMQP_URL = process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';
const ORDERS = Number(process.argv[2] ?? 3000);
const quiet = { info() {}, warn() {}, error(o: unknown, m?: string) { console.error(m, o); }, debug() {} };

interface Mode { readonly name: string; readonly batchSize: number }

async function runMode(mode: Mode, run: string): Promise<number> {
  const exchange = `bench.${run}.${mode.name}`;
  const dir = mkdtempSync(join(tmpdir(), `brewops-bench-${mode.name}-`));
  const conns = ['order', 'payment', 'barista'].map((s) => new Messaging({ url: AMQP_URL, connectionName: `bench-${s}`, logger: quiet }));
  const [mOrder, mPayment, mBarista] = conns as [Messaging, Messaging, Messaging];
  const queues = { order: `${exchange}.order`, payment: `${exchange}.payment`, barista: `${exchange}.barista` };
  await Promise.all(conns.map((c) => c.start()));
  await mOrder.addTopology(async (ch) => {
    await ch.assertExchange(exchange, 'topic', { durable: true });
    const bind = async (q: string, keys: string[]) => {
      await ch.assertQueue(q, { durable: true });
      for (const k of keys) await ch.bindQueue(q, exchange, k);
    };
    await bind(queues.order, ['payment.failed', 'coffee.ready', 'coffee.rejected']);
    await bind(queues.payment, ['order.placed', 'coffee.rejected']);
    await bind(queues.barista, ['payment.succeeded']);
  });

  const relays: OutboxRelay[] = [];
  const relay = (store: OutboxStore, messaging: Messaging): OutboxRelay => {
    const r = new OutboxRelay({ store, messaging, exchange, logger: quiet, batchSize: mode.batchSize, pollMs: 5 });
    relays.push(r);
    r.start();
    return r;
  };
  const orderDb = openDatabase({ file: join(dir, 'order.db'), migrations: ORDER_MIGRATIONS });
  const orderOutbox = new OutboxStore(orderDb);
  const orderRelay = relay(orderOutbox, mOrder);
  const orders = new OrderService(new OrdersRepo(orderDb), orderOutbox, new ProcessedMessages(orderDb), undefined, () => orderRelay.wake());
  const payDb = openDatabase({ file: join(dir, 'payment.db'), migrations: PAYMENT_MIGRATIONS });
  const payOutbox = new OutboxStore(payDb);
  const payRelay = relay(payOutbox, mPayment);
  const payments = new PaymentService(new PaymentsRepo(payDb), payOutbox, new ProcessedMessages(payDb), 1_000_000, undefined, () => payRelay.wake());
  const barDb = openDatabase({ file: join(dir, 'barista.db'), migrations: BARISTA_MIGRATIONS });
  const barOutbox = new OutboxStore(barDb);
  const barRelay = relay(barOutbox, mBarista);
  const barista = new BaristaService(new BarRepo(barDb), barOutbox, new ProcessedMessages(barDb), 0, undefined, () => barRelay.wake());

  let finished = 0;
  let done: () => void = () => undefined;
  const allDone = new Promise<void>((r) => (done = r));
  const parse = (msg: ConsumedMessage) => {
    const p = parseEvent(msg.body);
    if (!p.ok) throw new Error(p.reason);
    return p.event;
  };
  await mOrder.consume(queues.order, async (msg) => {
    const r = orders.apply(parse(msg));
    if ((r.kind === 'complete' || r.kind === 'cancel') && ++finished === ORDERS) done();
  }, { prefetch: 200 });
  await mPayment.consume(queues.payment, async (msg) => void payments.apply(parse(msg)), { prefetch: 200 });
  await mBarista.consume(queues.barista, async (msg) => void (await barista.apply(parse(msg))), { prefetch: 200 });

  const body = parsePlaceOrder({ memberId: 'm-100', items: [{ sku: 'flat-white', quantity: 1 }] });
  const started = process.hrtime.bigint();
  for (let i = 0; i < ORDERS; i++) {
    orders.place(priceOrder(body, { kind: 'found', memberId: 'm-100', discountPercent: 10 }));
    if (i % 100 === 99) await new Promise((r) => setImmediate(r)); // let the relays and consumers run
  }
  const timeout = setTimeout(() => { console.error(`${mode.name}: only ${finished}/${ORDERS} finished after 300 s`); process.exit(1); }, 300_000);
  await allDone;
  clearTimeout(timeout);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  await Promise.all(relays.map((r) => r.stop()));
  await mOrder.addTopology(async (ch) => {
    for (const q of Object.values(queues)) await ch.deleteQueue(q);
    await ch.deleteExchange(exchange);
  });
  await Promise.all(conns.map((c) => c.close()));
  for (const db of [orderDb, payDb, barDb]) db.close();
  rmSync(dir, { recursive: true, force: true });
  return ORDERS / seconds;
}

async function main(): Promise<void> {
  const run = randomUUID().slice(0, 8);
  console.log(`saga end to end (order → payment → barista → order), ${ORDERS} orders per mode, RabbitMQ ${AMQP_URL.replace(/\/\/.*@/, '//')}`);
  if (process.env['BENCH_ONLY'] === 'batched') {
    console.log(`  batched confirms (relay): ${(await runMode({ name: 'batched-confirms', batchSize: 500 }, run)).toFixed(0)} orders/s (no baseline: BENCH_ONLY=batched)`);
    return;
  }
  const baseline = await runMode({ name: 'per-message-confirm', batchSize: 1 }, run);
  console.log(`  per-message confirm (baseline): ${baseline.toFixed(0)} orders/s`);
  const batched = await runMode({ name: 'batched-confirms', batchSize: 500 }, run);
  console.log(`  batched confirms (relay):       ${batched.toFixed(0)} orders/s`);
  console.log(`  ratio batched / per-message:    ${(batched / baseline).toFixed(2)}x   (goal: >= 1000 orders/s: ${batched >= 1000 ? 'met' : 'not met'})`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
