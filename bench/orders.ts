/**
 * Orders per second through the whole saga (order → payment → barista → order completed) over
 * the real RabbitMQ, each service with its own SQLite database, transactional outbox, relay with
 * publisher confirms and idempotent consumer (validated with the contracts, wrapped in the
 * retrying handler, prefetch as in the services), without HTTP, tracing or logging. Orders are
 * placed one transaction each, as the HTTP route does; the consumers use group commit
 * (`consume(..., { transaction: service.transaction })`: the messages that arrive together are
 * applied in one SQLite transaction, one savepoint each) unless GROUP_COMMIT=0.
 *
 * Two relay modes, measured in the same run and printed side by side:
 *  - per-message confirm (baseline): the relay publishes one row, waits for its confirm, next;
 *  - batched confirms: up to 500 rows per round, their confirms awaited together.
 *
 * Layout (BENCH_LAYOUT): `processes` (default) runs order, payment and barista each in its own
 * process, as in the real stack; `single` runs all three in this process (one core for node).
 * Beside each figure: CPU per order of each service process and of the broker (read from /proc;
 * the broker is shared, so its figure includes whatever else uses it), the event-loop
 * utilisation of each process (1.00 = saturated) and the machine load.
 *
 *   npx tsx bench/orders.ts [orders=3000]
 *   BENCH_ONLY=batched|baseline  BASELINE_ORDERS=1000  BENCH_LAYOUT=processes|single  PREFETCH=64  GROUP_COMMIT=0
 *   BENCH_PROF=/tmp/prof   (service processes write --cpu-prof profiles there)
 *
 * Uses a private exchange and queues (deleted at the end); needs RabbitMQ on AMQP_URL.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { parseEvent } from '@brewops/contracts';
import { Messaging, openDatabase, OutboxRelay, OutboxStore, ProcessedMessages, retryingHandler } from '@brewops/platform';
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
const quiet = { info() {}, warn() {}, error(o: unknown, m?: string) { console.error(m, o); }, debug() {} };
const ROLES = ['order', 'payment', 'barista'] as const;
type Role = (typeof ROLES)[number];

/** What one service needs to know to run its part of a measured run. */
interface Spec {
  readonly mode: string;
  readonly exchange: string;
  readonly dir: string;
  readonly orders: number;
  readonly batchSize: number;
  readonly prefetch: number;
  readonly groupCommit: boolean;
}

const queueOf = (spec: Spec, role: Role): string => `${spec.exchange}.${role}`;

interface Usage { readonly cpuMs: number; readonly elu: number }

/** One service of the saga, wired like the real one (database, outbox + relay, idempotent consumer). */
interface RunningRole {
  /** Places every order (order only); resolves when the last one is placed. */
  produce(): Promise<void>;
  /** Resolves when every order has completed or been cancelled (order only). */
  readonly finished: Promise<void>;
  stop(): Promise<void>;
}

async function startRole(role: Role, spec: Spec): Promise<RunningRole> {
  const messaging = new Messaging({ url: AMQP_URL, connectionName: `bench-${role}`, logger: quiet });
  await messaging.start();
  const migrations = { order: ORDER_MIGRATIONS, payment: PAYMENT_MIGRATIONS, barista: BARISTA_MIGRATIONS }[role];
  const db = openDatabase({ file: join(spec.dir, `${role}.db`), migrations });
  const outbox = new OutboxStore(db);
  const processed = new ProcessedMessages(db);
  const relay = new OutboxRelay({ store: outbox, messaging, exchange: spec.exchange, logger: quiet, batchSize: spec.batchSize });
  relay.start();
  const wake = (): void => relay.wake();
  const parse = (msg: ConsumedMessage) => {
    const p = parseEvent(msg.body);
    if (!p.ok) throw new Error(`invalid event: ${p.reason}`);
    return p.event;
  };

  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  let handle: (msg: ConsumedMessage) => Promise<void>;
  let transaction: (run: () => void) => void;
  let produce = async (): Promise<void> => undefined;
  if (role === 'order') {
    const orders = new OrderService(new OrdersRepo(db), outbox, processed, undefined, wake);
    transaction = orders.transaction;
    let done = 0;
    handle = async (msg) => {
      const event = parse(msg);
      const r = orders.apply(event);
      if (r.kind === 'unknown_order') throw new Error(`no order ${event.payload.orderId} (yet)`);
      if ((r.kind === 'complete' || r.kind === 'cancel') && ++done === spec.orders) finish();
    };
    const body = parsePlaceOrder({ memberId: 'm-100', items: [{ sku: 'flat-white', quantity: 1 }] });
    produce = async () => {
      for (let i = 0; i < spec.orders; i++) {
        orders.place(priceOrder(body, { kind: 'found', memberId: 'm-100', discountPercent: 10 }));
        if (i % 100 === 99) await new Promise((r) => setImmediate(r)); // let the relay and consumer run
      }
    };
  } else if (role === 'payment') {
    const payments = new PaymentService(new PaymentsRepo(db), outbox, processed, 1_000_000, undefined, wake);
    transaction = payments.transaction;
    handle = async (msg) => void payments.apply(parse(msg));
  } else {
    const barista = new BaristaService(new BarRepo(db), outbox, processed, 0, undefined, wake);
    transaction = barista.transaction;
    handle = async (msg) => void (await barista.apply(parse(msg)));
  }
  const queue = queueOf(spec, role);
  await messaging.consume(queue, retryingHandler(handle, { messaging, queue, logger: quiet }), {
    onError: () => 'requeue',
    prefetch: spec.prefetch,
    ...(spec.groupCommit ? { transaction } : {}),
  });

  return {
    produce,
    finished,
    async stop() {
      await messaging.stopConsuming();
      await relay.stop();
      await messaging.close();
      db.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A service process (BENCH_ROLE set): started by the runner, driven over IPC.

type ToChild = { cmd: 'go' } | { cmd: 'report' } | { cmd: 'stop' };
type FromChild = { ev: 'ready' } | { ev: 'done' } | { ev: 'usage'; usage: Usage } | { ev: 'stopped' } | { ev: 'failed'; error: string };

function usageSince(cpu: NodeJS.CpuUsage, elu: EventLoopUtilization): Usage {
  const c = process.cpuUsage(cpu);
  return { cpuMs: (c.user + c.system) / 1000, elu: performance.eventLoopUtilization(elu).utilization };
}

async function child(role: Role, spec: Spec): Promise<void> {
  const send = (m: FromChild): void => void process.send!(m);
  const running = await startRole(role, spec);
  let cpu = process.cpuUsage();
  let elu = performance.eventLoopUtilization();
  process.on('message', (m: ToChild) => {
    if (m.cmd === 'go') {
      cpu = process.cpuUsage();
      elu = performance.eventLoopUtilization();
      void running.finished.then(() => send({ ev: 'done' }));
      running.produce().catch((err: unknown) => send({ ev: 'failed', error: String(err) }));
    } else if (m.cmd === 'report') {
      send({ ev: 'usage', usage: usageSince(cpu, elu) });
    } else {
      void running.stop().then(() => {
        send({ ev: 'stopped' });
        process.disconnect();
      });
    }
  });
  send({ ev: 'ready' });
}

// ---------------------------------------------------------------------------------------------
// The runner.

/** CPU time (ms) the broker process has used so far; undefined when it is not visible here. */
function brokerCpuMs(): number | undefined {
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let comm: string;
      try { comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim(); } catch { continue; }
      if (comm !== 'beam.smp') continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms ticks
    }
  } catch { /* not Linux */ }
  return undefined;
}

interface Result {
  readonly ordersPerSecond: number;
  readonly orders: number;
  readonly seconds: number;
  readonly usage: Partial<Record<Role | 'all', Usage>>;
  readonly brokerMs: number | undefined;
  readonly load: string;
}

class ChildRole {
  private readonly waiters = new Map<FromChild['ev'], (m: FromChild) => void>();
  constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: FromChild) => {
      if (m.ev === 'failed') { console.error(`service process failed: ${m.error}`); process.exit(1); }
      const w = this.waiters.get(m.ev);
      this.waiters.delete(m.ev);
      w?.(m);
    });
    proc.on('exit', (code) => { if (code !== 0 && code !== null) { console.error(`service process exited with ${code}`); process.exit(1); } });
  }
  next<E extends FromChild['ev']>(ev: E): Promise<Extract<FromChild, { ev: E }>> {
    return new Promise((resolve) => this.waiters.set(ev, resolve as (m: FromChild) => void));
  }
  send(m: ToChild): void { this.proc.send(m); }
}

interface Setup { readonly run: string; readonly layout: string; readonly prefetch: number; readonly groupCommit: boolean }

async function runMode(name: string, batchSize: number, orders: number, setup: Setup): Promise<Result> {
  const { run, layout, prefetch, groupCommit } = setup;
  const exchange = `bench.${run}.${name}`;
  const dir = mkdtempSync(join(tmpdir(), `brewops-bench-${name}-`));
  const spec: Spec = { mode: name, exchange, dir, orders, batchSize, prefetch, groupCommit };
  const admin = new Messaging({ url: AMQP_URL, connectionName: 'bench-admin', logger: quiet });
  await admin.start();
  await admin.addTopology(async (ch) => {
    await ch.assertExchange(exchange, 'topic', { durable: true });
    const bind = async (role: Role, keys: string[]) => {
      await ch.assertQueue(queueOf(spec, role), { durable: true });
      for (const k of keys) await ch.bindQueue(queueOf(spec, role), exchange, k);
    };
    await bind('order', ['payment.failed', 'coffee.ready', 'coffee.rejected']);
    await bind('payment', ['order.placed', 'coffee.rejected']);
    await bind('barista', ['payment.succeeded']);
  });

  const load0 = loadavg()[0]!;
  let seconds: number;
  const usage: Partial<Record<Role | 'all', Usage>> = {};
  let brokerMs: number | undefined;
  if (layout === 'single') {
    const roles = await Promise.all(ROLES.map((r) => startRole(r, spec)));
    const broker0 = brokerCpuMs();
    const cpu = process.cpuUsage();
    const elu = performance.eventLoopUtilization();
    const started = performance.now();
    await roles[0]!.produce();
    await roles[0]!.finished;
    seconds = (performance.now() - started) / 1000;
    usage.all = usageSince(cpu, elu);
    const broker1 = brokerCpuMs();
    if (broker0 !== undefined && broker1 !== undefined) brokerMs = broker1 - broker0;
    await Promise.all(roles.map((r) => r.stop()));
  } else {
    const children = ROLES.map((role) => {
      const execArgv = [...process.execArgv];
      if (process.env['BENCH_PROF']) execArgv.push('--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROF']}`, `--cpu-prof-name=${role}-${name}.cpuprofile`);
      return new ChildRole(fork(process.argv[1]!, [], { env: { ...process.env, BENCH_ROLE: role, BENCH_SPEC: JSON.stringify(spec) }, execArgv }));
    });
    await Promise.all(children.map((c) => c.next('ready')));
    const done = children[0]!.next('done');
    const broker0 = brokerCpuMs();
    const started = performance.now();
    for (const c of children) c.send({ cmd: 'go' });
    await done;
    seconds = (performance.now() - started) / 1000;
    const broker1 = brokerCpuMs();
    if (broker0 !== undefined && broker1 !== undefined) brokerMs = broker1 - broker0;
    const reports = children.map((c) => c.next('usage'));
    for (const c of children) c.send({ cmd: 'report' });
    (await Promise.all(reports)).forEach((r, i) => (usage[ROLES[i]!] = r.usage));
    const stopped = children.map((c) => c.next('stopped'));
    for (const c of children) c.send({ cmd: 'stop' });
    await Promise.all(stopped);
  }
  const load1 = loadavg()[0]!;

  await admin.addTopology(async (ch) => {
    for (const role of ROLES) await ch.deleteQueue(queueOf(spec, role));
    await ch.deleteExchange(exchange);
  });
  await admin.close();
  rmSync(dir, { recursive: true, force: true });
  return { ordersPerSecond: orders / seconds, orders, seconds, usage, brokerMs, load: `${load0.toFixed(1)}→${load1.toFixed(1)}` };
}

function describe(r: Result): string {
  const per = (ms: number): string => (ms / r.orders).toFixed(2);
  const parts = Object.entries(r.usage).map(([role, u]) => `${role} ${per(u.cpuMs)} (elu ${u.elu.toFixed(2)})`);
  const node = Object.values(r.usage).reduce((s, u) => s + u.cpuMs, 0);
  const broker = r.brokerMs === undefined ? 'broker n/a' : `broker ${per(r.brokerMs)}`;
  return `${r.orders} orders in ${r.seconds.toFixed(1)} s; CPU ms/order: node ${per(node)} [${parts.join(', ')}], ${broker}; load ${r.load}`;
}

async function main(): Promise<void> {
  const orders = Number(process.argv[2] ?? 3000);
  const baselineOrders = Number(process.env['BASELINE_ORDERS'] ?? Math.min(orders, 1000));
  const layout = process.env['BENCH_LAYOUT'] === 'single' ? 'single' : 'processes';
  const prefetch = Number(process.env['PREFETCH'] ?? 64);
  const groupCommit = process.env['GROUP_COMMIT'] !== '0';
  const only = process.env['BENCH_ONLY'];
  const setup: Setup = { run: randomUUID().slice(0, 8), layout, prefetch, groupCommit };
  console.log(`saga end to end (order → payment → barista → order), RabbitMQ ${AMQP_URL.replace(/\/\/.*@/, '//')}, ` +
    `${layout === 'single' ? 'all services in one process' : 'one process per service'}, prefetch ${prefetch}, ` +
    `group commit ${groupCommit ? 'on' : 'off'}, ${cpus().length} cores`);
  let baseline: Result | undefined;
  let batched: Result | undefined;
  if (only !== 'batched') {
    baseline = await runMode('per-message-confirm', 1, baselineOrders, setup);
    console.log(`  per-message confirm (baseline): ${baseline.ordersPerSecond.toFixed(0).padStart(5)} orders/s   ${describe(baseline)}`);
  }
  if (only !== 'baseline') {
    batched = await runMode('batched-confirms', 500, orders, setup);
    console.log(`  batched confirms (relay):       ${batched.ordersPerSecond.toFixed(0).padStart(5)} orders/s   ${describe(batched)}`);
  }
  if (baseline && batched) {
    console.log(`  ratio batched / per-message:    ${(batched.ordersPerSecond / baseline.ordersPerSecond).toFixed(1)}x`);
  }
  if (batched) console.log(`  goal >= 1000 orders/s: ${batched.ordersPerSecond >= 1000 ? 'met' : 'not met'}`);
}

const childRole = process.env['BENCH_ROLE'] as Role | undefined;
(childRole ? child(childRole, JSON.parse(process.env['BENCH_SPEC']!) as Spec) : main()).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
