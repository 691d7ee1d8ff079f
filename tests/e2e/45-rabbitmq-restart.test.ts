/**
 * RabbitMQ restarted mid-load: no order lost, none processed twice. Runs on a private RabbitMQ
 * node (own port and data directory, so the shared stack is not disturbed) with private order,
 * payment, barista and status instances on it; orders keep being accepted while the broker is
 * down (the outbox holds them), and every one ends completed with each transition exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { eventually, getJson, sleep } from '../support/stack.js';
import { startServiceProcess } from './40-saga-helpers.js';
import type { TestProcess } from './40-saga-helpers.js';

const ORDERS = Number(process.env['E2E_RMQ_ORDERS'] ?? 300);
const CONCURRENCY = 8;

const freePort = (): Promise<number> => new Promise((resolve, reject) => {
  const srv = createServer();
  srv.on('error', reject);
  srv.listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as { port: number };
    srv.close(() => resolve(port));
  });
});

class PrivateRabbit {
  private proc: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), 'brewops-e2e-rabbit-'));
  readonly node = `brewopse2e${randomUUID().slice(0, 6)}@localhost`;
  constructor(readonly port: number, private readonly distPort: number) {
    // rabbitmq-server started as root drops to the rabbitmq user, which must write here
    chmodSync(this.dir, 0o777);
    writeFileSync(join(this.dir, 'enabled_plugins'), '[].\n', { mode: 0o666 });
  }
  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.proc = spawn('/usr/sbin/rabbitmq-server', [], {
      env: {
        ...process.env,
        RABBITMQ_NODENAME: this.node,
        RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
        RABBITMQ_NODE_PORT: String(this.port),
        RABBITMQ_DIST_PORT: String(this.distPort),
        RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
        RABBITMQ_LOG_BASE: join(this.dir, 'log'),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
        RABBITMQ_CONFIG_FILE: join(this.dir, 'rabbitmq'),
        RABBITMQ_ADVANCED_CONFIG_FILE: join(this.dir, 'advanced.config'),
      },
      stdio: 'ignore',
      detached: true,
    });
    // await_startup fails at once while the node is not registered with epmd yet
    await eventually('the private RabbitMQ node to start', async () => {
      try {
        this.ctl('await_startup', '--timeout', '10');
        return true;
      } catch {
        return undefined;
      }
    }, 120_000, 1000);
  }
  /** Restarts the broker application: every connection drops, queues recover from disk. */
  restart(downMs: number): Promise<void> {
    this.ctl('stop_app');
    return sleep(downMs).then(() => this.ctl('start_app'));
  }
  ctl(...args: string[]): void {
    const r = spawnSync('/usr/sbin/rabbitmqctl', ['-n', this.node, ...args], { encoding: 'utf8', timeout: 150_000 });
    if (r.status !== 0) throw new Error(`rabbitmqctl ${args.join(' ')}: ${r.stderr || r.stdout}`);
  }
  async stop(): Promise<void> {
    try {
      this.ctl('stop');
    } catch {
      try {
        if (this.proc?.pid) process.kill(-this.proc.pid, 'SIGKILL');
      } catch { /* already gone */ }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

test('RabbitMQ restarted mid-load: no order lost, no order processed twice', { timeout: 400_000 }, async (t) => {
  const rabbit = new PrivateRabbit(await freePort(), await freePort());
  await rabbit.start();
  const stateDir = mkdtempSync(join(tmpdir(), 'brewops-e2e-rmq-state-'));
  const procs: TestProcess[] = [];
  t.after(async () => {
    for (const p of procs.reverse()) await p.stop().catch(() => undefined);
    await rabbit.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });
  const suffix = randomUUID().slice(0, 6);
  const env = (svc: string) => ({ AMQP_URL: rabbit.url, BREWOPS_STATE_DIR: join(stateDir, svc) });
  const started = await Promise.all([
    startServiceProcess('status', `status-rmq${suffix}`, env('status')),
    startServiceProcess('payment', `payment-rmq${suffix}`, env('payment')),
    startServiceProcess('barista', `barista-rmq${suffix}`, env('barista')),
    startServiceProcess('order', `order-rmq${suffix}`, env('order')),
  ]);
  procs.push(...started);
  const [status, , , order] = started;

  const accepted: string[] = [];
  let failedPosts = 0;
  let next = 0;
  const post = async (): Promise<void> => {
    while (next < ORDERS) {
      next++;
      const res = await fetch(`${order!.url}/v1/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ sku: 'espresso', quantity: 1 }] }),
      }).catch(() => undefined);
      if (res?.status === 201) accepted.push(((await res.json()) as { orderId: string }).orderId);
      else failedPosts++;
    }
  };
  const load = Promise.all(Array.from({ length: CONCURRENCY }, post));
  await eventually('a third of the load', async () => (next >= ORDERS / 3 ? true : undefined), 120_000, 50);
  const restartedAt = accepted.length;
  await rabbit.restart(3000);
  await load;
  console.log(`  ${accepted.length} orders accepted (${failedPosts} refused), broker restarted after ${restartedAt}`);
  assert.equal(failedPosts, 0, 'orders were refused while the broker was down');

  const pending = new Set(accepted);
  await eventually(`all ${accepted.length} orders completed`, async () => {
    for (const id of [...pending]) {
      const r = await fetch(`${status!.url}/v1/orders/${id}/status`);
      if (r.status === 200 && ((await r.json()) as { status: string }).status === 'completed') pending.delete(id);
    }
    return pending.size === 0 ? true : undefined;
  }, 180_000, 2000).catch((err: unknown) => {
    throw new Error(`${pending.size} orders not completed: ${String(err)}`);
  });
  for (const id of accepted) {
    const s = await getJson<{ history: Array<{ status: string }> }>(`${status!.url}/v1/orders/${id}/status`);
    assert.deepEqual(s.history.map((h) => h.status).sort(), ['completed', 'paid', 'placed', 'ready'], `order ${id} has a transition missing or twice`);
  }
});
