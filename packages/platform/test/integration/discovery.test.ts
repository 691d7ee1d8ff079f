// Integration tests against a real etcd: ETCD_HOSTS if set, else an etcd 3.4 child process
// (/usr/bin/etcd) on free ports with a temp data dir. Tests that stop and restart etcd always use
// a private child process, never a shared etcd.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { Discovery, isDiscoveryError } from '../../src/discovery/index.js';
import type { DiscoveryOptions, InstanceInfo, ServiceWatch } from '../../src/discovery/index.js';
import { ETCD_PREFIX } from '../../src/semconv.js';

const ETCD_BIN = process.env['ETCD_BIN'] ?? '/usr/bin/etcd';
const TTL = 3;
const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const svc = (name: string): string => `t-${run}-${name}`;
const silent = { info() {}, warn() {}, error() {}, debug() {} };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A private single-member etcd on free ports; stop/start keep the data dir unless wiped. */
class LocalEtcd {
  private proc: ChildProcess | undefined;
  private stderr = '';
  readonly dataDir = mkdtempSync(join(tmpdir(), 'brewops-etcd-'));

  private constructor(
    readonly clientPort: number,
    private readonly peerPort: number,
  ) {}

  static async create(clientPort?: number): Promise<LocalEtcd> {
    if (!existsSync(ETCD_BIN)) {
      throw new Error(`etcd binary not found at ${ETCD_BIN}: apt-get install -y --no-install-recommends etcd-server, or set ETCD_HOSTS`);
    }
    return new LocalEtcd(clientPort ?? (await freePort()), await freePort());
  }

  get url(): string {
    return `http://127.0.0.1:${this.clientPort}`;
  }

  async start(): Promise<void> {
    const peer = `http://127.0.0.1:${this.peerPort}`;
    this.stderr = '';
    const proc = spawn(ETCD_BIN, [
      '--name', 'test', '--data-dir', this.dataDir,
      '--listen-client-urls', this.url, '--advertise-client-urls', this.url,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `test=${peer}`, '--log-level', 'error', '--logger', 'zap',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    this.proc = proc;
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`etcd exited with ${proc.exitCode}: ${this.stderr}`);
      try {
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(500) });
        if (res.ok && ((await res.json()) as { health?: string }).health === 'true') return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`etcd on ${this.url} not healthy after 15 s: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }

  wipe(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  async destroy(): Promise<void> {
    await this.stop();
    this.wipe();
  }
}

let hosts: string[];
let ownEtcd: LocalEtcd | undefined;
const toClose: Array<{ close(): unknown }> = [];

function discovery(extra: Partial<DiscoveryOptions> = {}): Discovery & { warnings: unknown[] } {
  const warnings: unknown[] = [];
  const d = new Discovery({ hosts, logger: { ...silent, warn: (o: object | string) => void warnings.push(o) }, ttlSeconds: TTL, ...extra });
  toClose.push(d);
  return Object.assign(d, { warnings });
}

function instance(service: string, instanceId: string, port = 9000): Omit<InstanceInfo, 'registeredAt'> {
  return { service, instanceId, host: '127.0.0.1', port, version: '0.1.0', zone: 'local' };
}

const has = (w: ServiceWatch, id: string): boolean => w.instances().some((i) => i.instanceId === id);

before(async () => {
  const fromEnv = process.env['ETCD_HOSTS'];
  if (fromEnv) {
    hosts = fromEnv.split(',').map((h) => h.trim()).filter(Boolean);
  } else {
    ownEtcd = await LocalEtcd.create();
    await ownEtcd.start();
    hosts = [ownEtcd.url];
  }
  const probe = new Discovery({ hosts, logger: silent });
  try {
    await probe.list();
  } catch (err) {
    throw new Error(`etcd is not reachable at ${hosts.join(',')}: ${String(err)}`);
  } finally {
    await probe.close();
  }
});

after(async () => {
  for (const c of toClose.reverse()) await c.close();
  if (ownEtcd) {
    await ownEtcd.destroy();
  } else {
    const client = new Etcd3({ hosts });
    await client.delete().prefix(`${ETCD_PREFIX}services/t-${run}-`).exec();
    client.close();
  }
});

describe('discovery against etcd', () => {
  it('a registration is visible to a watcher within milliseconds, and gone at once after deregister()', async () => {
    const watcher = discovery();
    const registrant = discovery();
    const service = svc('basic');
    const watch = await watcher.watch(service);
    let changes = 0;
    watch.on('change', () => (changes += 1));
    assert.deepEqual(watch.instances(), []);

    const t0 = performance.now();
    const reg = await registrant.register(instance(service, 'a', 9001));
    await waitFor('instance a in the watch', () => has(watch, 'a'));
    const visibleMs = performance.now() - t0;
    console.log(`registration visible to the watcher after ${visibleMs.toFixed(1)} ms`);
    assert.ok(visibleMs < 1000);
    assert.equal(reg.isRegistered, true);
    assert.deepEqual(watch.instances()[0], reg.info);
    assert.ok(changes >= 1, 'a change event was emitted');
    assert.equal(watcher.isHealthy, true);
    assert.equal(registrant.isHealthy, true);

    const listed = await watcher.list(service);
    assert.deepEqual(listed, [{ ...reg.info, override: null }]);
    assert.ok((await watcher.list()).some((s) => s.service === service && s.instanceId === 'a'), 'list() without a service lists all services');

    const t1 = performance.now();
    await reg.deregister();
    await waitFor('instance a gone', () => !has(watch, 'a'));
    console.log(`deregistration visible to the watcher after ${(performance.now() - t1).toFixed(1)} ms`);
    assert.equal(reg.isRegistered, false);
    assert.deepEqual(await watcher.list(service), []);
  });

  it('a process killed with SIGKILL disappears from the watch when its lease expires', async () => {
    const watcher = discovery();
    const service = svc('kill');
    const watch = await watcher.watch(service);
    const modulePath = join(__dirname, '../../src/discovery/index.js');
    const script = `
      const { Discovery } = require(${JSON.stringify(modulePath)});
      const noop = () => {};
      const d = new Discovery({ hosts: ${JSON.stringify(hosts)}, logger: { info: noop, warn: noop, error: noop, debug: noop }, ttlSeconds: ${TTL} });
      d.register(${JSON.stringify(instance(service, 'victim', 9002))}).then(() => console.log('registered'));
      setInterval(noop, 1000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await waitFor('child registered', () => has(watch, 'victim'));
      await new Promise((r) => setTimeout(r, 1500)); // let it keep the lease alive a while
      assert.ok(has(watch, 'victim'), 'the keep-alive holds the registration beyond one TTL/3 period');
      const t0 = performance.now();
      child.kill('SIGKILL');
      await waitFor('victim removed', () => !has(watch, 'victim'), TTL * 1000 + 5000);
      const ms = performance.now() - t0;
      console.log(`lease expiry detected after ${Math.round(ms)} ms (TTL ${TTL} s)`);
      assert.ok(ms < TTL * 1000 + 2000, `took ${Math.round(ms)} ms`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('OUT_OF_SERVICE removes an instance from instances() (kept in all()), clearing it restores it', async () => {
    const controller = discovery();
    const watcher = discovery();
    const registrant = discovery();
    const service = svc('override');
    await registrant.register(instance(service, 'x', 9003));
    await registrant.register(instance(service, 'y', 9004));
    const watch = await watcher.watch(service);
    assert.deepEqual(watch.instances().map((i) => i.instanceId), ['x', 'y']);

    const t0 = performance.now();
    await controller.setOverride(service, 'x', 'OUT_OF_SERVICE');
    await waitFor('x out of service', () => !has(watch, 'x'));
    console.log(`OUT_OF_SERVICE applied by the watcher after ${(performance.now() - t0).toFixed(1)} ms`);
    assert.deepEqual(watch.instances().map((i) => i.instanceId), ['y']);
    assert.deepEqual(watch.all().map((s) => [s.instanceId, s.override]), [['x', 'OUT_OF_SERVICE'], ['y', null]]);
    assert.deepEqual((await controller.list(service)).map((s) => [s.instanceId, s.override]), [['x', 'OUT_OF_SERVICE'], ['y', null]]);

    const t1 = performance.now();
    await controller.setOverride(service, 'x', null);
    await waitFor('x back in service', () => has(watch, 'x'));
    console.log(`override cleared, instance back after ${(performance.now() - t1).toFixed(1)} ms`);
    assert.deepEqual(watch.instances().map((i) => i.instanceId), ['x', 'y']);

    await assert.rejects(controller.setOverride(service, 'a/b', null), (e: unknown) => isDiscoveryError(e) && e.code === 'invalid_instance');
  });

  it('with etcd unreachable: list() fails fast with etcd_unavailable, register() waits and succeeds once etcd is up', async () => {
    const late = await LocalEtcd.create();
    const d = discovery({ hosts: [late.url], callTimeoutMs: 1000 });
    try {
      const t0 = performance.now();
      await assert.rejects(d.list(), (e: unknown) => isDiscoveryError(e) && e.code === 'etcd_unavailable');
      assert.ok(performance.now() - t0 < 3000, 'bounded by the call deadline');
      assert.equal(d.isHealthy, false);
      let registered = false;
      const pending = d.register(instance(svc('late'), 'l', 9005)).then((r) => ((registered = true), r));
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(registered, false);
      await late.start();
      const t1 = performance.now();
      const reg = await pending;
      console.log(`register() completed ${Math.round(performance.now() - t1)} ms after etcd became healthy`);
      assert.equal(reg.isRegistered, true);
      assert.deepEqual((await d.list(svc('late'))).map((s) => s.instanceId), ['l']);
      assert.equal(d.isHealthy, true);
    } finally {
      await d.close();
      await late.destroy();
    }
  });

  it('etcd stopped and restarted: registration comes back under a new lease, the watcher re-syncs, health reports both edges', async () => {
    const etcd = await LocalEtcd.create();
    await etcd.start();
    try {
      const opts = { hosts: [etcd.url] };
      const registrant = discovery(opts);
      const watcher = discovery(opts);
      const service = svc('restart');
      const health: string[] = [];
      registrant.on('etcd-down', () => health.push('down'));
      registrant.on('etcd-up', () => health.push('up'));
      let lost = 0;
      let registered = 0;
      registrant.on('registration-lost', () => (lost += 1));
      registrant.on('registered', () => (registered += 1));
      const reg = await registrant.register(instance(service, 'r', 9006));
      const watch = await watcher.watch(service);
      const before = watch.instances()[0]!.registeredAt;

      await etcd.stop();
      await waitFor('etcd-down', () => health.includes('down'), 5000);
      assert.equal(registrant.isHealthy, false);
      await waitFor('watcher notices', () => !watcher.isHealthy, 5000);
      // stay down longer than the lease can survive without keep-alives (2 x TTL)
      await waitFor('lease declared lost', () => lost > 0, 4 * TTL * 1000);
      assert.equal(reg.isRegistered, false);

      const t0 = performance.now();
      await etcd.start();
      await waitFor('re-registered', () => reg.isRegistered, 10_000);
      const backMs = performance.now() - t0;
      await waitFor('watcher sees the new registration', () => watch.instances()[0]?.registeredAt !== before && has(watch, 'r'), 10_000);
      const syncedMs = performance.now() - t0;
      console.log(`etcd restart: registration back ${Math.round(backMs)} ms, watcher re-synced ${Math.round(syncedMs)} ms after etcd was up`);
      assert.ok(registered >= 2, 'registered again');
      assert.deepEqual(health.slice(0, 2), ['down', 'up']);
      assert.equal(registrant.isHealthy, true);
      assert.equal(watcher.isHealthy, true);
      assert.deepEqual(watch.instances(), [reg.info]);
    } finally {
      await etcd.destroy();
    }
  });

  it('etcd replaced by an empty one (data lost): the registration is restored and the watcher, ahead of the new revision, re-syncs', async () => {
    const etcd = await LocalEtcd.create();
    await etcd.start();
    try {
      const opts = { hosts: [etcd.url] };
      const registrant = discovery(opts);
      const watcher = discovery(opts);
      const service = svc('wipe');
      // push the old cluster's revision well ahead of what the new one will have
      const other = await registrant.register(instance(service, 'other', 9007));
      for (let i = 0; i < 30; i++) await registrant.setOverride(service, 'other', i % 2 === 0 ? 'OUT_OF_SERVICE' : null);
      const reg = await registrant.register(instance(service, 'w', 9008));
      await other.deregister();
      const watch = await watcher.watch(service);
      assert.deepEqual(watch.instances().map((i) => i.instanceId), ['w']);

      await etcd.stop();
      etcd.wipe();
      await etcd.start();
      const t0 = performance.now();
      await waitFor('registration restored in the new etcd', async () => (await watcher.list(service).catch(() => [])).length === 1, 15_000);
      await waitFor('watcher shows it', () => has(watch, 'w') && watch.instances()[0]!.registeredAt === reg.info.registeredAt, 10_000);
      console.log(`empty etcd: registration restored and watcher re-synced ${Math.round(performance.now() - t0)} ms after etcd was up`);
      // the watcher must keep following the new cluster: a change now must arrive
      await registrant.setOverride(service, 'w', 'OUT_OF_SERVICE');
      await waitFor('override seen by the re-synced watcher', () => !has(watch, 'w'), 5000);
    } finally {
      await etcd.destroy();
    }
  });
});
