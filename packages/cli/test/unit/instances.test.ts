import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InstanceInfo } from '@brewops/platform';
import { isAlive } from '../../src/process/pids.js';
import type { SupervisorConfig } from '../../src/supervisor/config.js';
import { InstanceTable } from '../../src/supervisor/instances.js';
import { AdminError, type InstanceView } from '../../src/supervisor/types.js';

/**
 * A throwaway repository with two fake "built" services: member serves /health/ready and writes
 * its port where the fake registry finds it; order exits with code 3 at once.
 */
const root = mkdtempSync(join(tmpdir(), 'brewops-sup-'));
const stateDir = join(root, '.brewops');
const service = (name: string, code: string): void => {
  mkdirSync(join(root, 'services', name, 'dist', 'src'), { recursive: true });
  writeFileSync(join(root, 'services', name, 'dist', 'src', 'main.js'), code);
};
service('member', `
const http = require('node:http');
const s = http.createServer((req, res) => { res.statusCode = req.url === '/health/ready' ? 200 : 404; res.end(); });
s.listen(Number(process.env.PORT), process.env.HOST, () => {
  require('node:fs').writeFileSync(process.env.BREWOPS_STATE_DIR + '/port.json', JSON.stringify({ port: s.address().port }));
});
process.on('SIGTERM', () => process.exit(0));
`);
service('order', 'process.exit(3);');
mkdirSync(join(stateDir, 'logs'), { recursive: true });

/** Registrations as the instances would write them to etcd. */
async function registry(): Promise<InstanceInfo[]> {
  const dir = join(stateDir, 'instances');
  return readdirSync(dir).flatMap((id) => {
    try {
      const { port } = JSON.parse(readFileSync(join(dir, id, 'port.json'), 'utf8')) as { port: number };
      return [{ service: id.split('-')[0]!, instanceId: id, host: '127.0.0.1', port, version: '0', zone: 'local', registeredAt: new Date().toISOString() }];
    } catch {
      return [];
    }
  });
}

const cfg: SupervisorConfig = {
  root, stateDir, logsDir: join(stateDir, 'logs'), port: 0, tokenFile: '', etcdUrl: '', gatewayPort: 0,
  replicas: { collector: 1, member: 2, status: 1, payment: 1, barista: 1, order: 1, gateway: 1, controller: 0 }, env: { LOG_LEVEL: 'warn' },
};
const table = new InstanceTable(cfg, registry, () => undefined);
test.after(async () => {
  await table.shutdown(1000);
  rmSync(root, { recursive: true, force: true });
});

const byId = (id: string): InstanceView => table.list().instances.find((i) => i.id === id)!;

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 8000;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: ${JSON.stringify(table.list().instances.map((i) => [i.id, i.state, i.detail]))}`);
    await table.poll();
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('starts the replicas of built services, skips the others, and tracks readiness and exits', async () => {
  await table.startAll();
  assert.deepEqual(table.list().instances.map((i) => i.id), ['member-1', 'member-2', 'order-1']);
  assert.deepEqual(table.list().skipped.map((s) => s.service), ['collector', 'status', 'payment', 'barista', 'gateway']);
  await until('members ready and order exited', () =>
    byId('member-1').state === 'ready' && byId('member-2').state === 'ready' && byId('order-1').state === 'exited');
  assert.equal(byId('order-1').exit?.code, 3);
  assert.match(byId('member-1').url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
  await table.poll();
  assert.equal(byId('order-1').state, 'exited', 'no auto-restart');
});

test('stop, restart (same id, new pid) and start', async () => {
  const stopped = await table.stop('member-2');
  assert.equal(stopped.state, 'stopped');
  assert.equal(isAlive(stopped.pid), false);
  const before = byId('member-1').pid;
  const restarted = await table.restart('member-1');
  assert.equal(restarted.id, 'member-1');
  assert.notEqual(restarted.pid, before);
  assert.equal(isAlive(before), false);
  assert.equal(restarted.restarts, 1);
  await until('member-1 ready again', () => byId('member-1').state === 'ready');
  await table.start('member-2');
  await until('member-2 ready again', () => byId('member-2').state === 'ready');
  await assert.rejects(table.restart('member-9'), (e: unknown) => e instanceof AdminError && e.status === 404);
});

test('two restarts asked for at once give one new process, none orphaned', async () => {
  await until('member-1 ready', () => byId('member-1').state === 'ready');
  const before = byId('member-1');
  // the controller and a user asking at the same moment (seen live: two collectors, one untracked)
  const [a, b] = await Promise.all([table.restart('member-1'), table.restart('member-1')]);
  assert.equal(a.pid, b.pid, 'both callers see the same new process');
  assert.notEqual(a.pid, before.pid);
  assert.equal(isAlive(before.pid), false);
  assert.equal(byId('member-1').restarts, before.restarts + 1);
  const running = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readlinkSync(`/proc/${p}/cwd`) === root && readFileSync(`/proc/${p}/environ`, 'utf8').includes('BREWOPS_INSTANCE_ID=member-1\0');
    } catch {
      return false;
    }
  });
  assert.deepEqual(running, [String(a.pid)], 'exactly one member-1 process runs');
  // a stop queued behind a restart runs after it, and leaves nothing running
  const [, stopped] = await Promise.all([table.restart('member-1'), table.stop('member-1')]);
  assert.equal(stopped.state, 'stopped');
  assert.equal(isAlive(stopped.pid), false);
  await table.start('member-1');
  await until('member-1 ready again', () => byId('member-1').state === 'ready');
});

test('scale out and in; unknown or unbuilt services are refused', async () => {
  assert.deepEqual((await table.scale('member', 3)).map((i) => i.id), ['member-1', 'member-2', 'member-3']);
  await until('member-3 ready', () => byId('member-3').state === 'ready');
  const pid3 = byId('member-3').pid;
  assert.deepEqual((await table.scale('member', 1)).map((i) => i.id), ['member-1']);
  assert.equal(isAlive(pid3), false);
  await assert.rejects(table.scale('warehouse', 1), (e: unknown) => e instanceof AdminError && e.code === 'unknown_service');
  await assert.rejects(table.scale('collector', 1), (e: unknown) => e instanceof AdminError && e.code === 'service_not_built');
});

test('shutdown stops every instance', async () => {
  const pids = table.list().instances.map((i) => i.pid);
  await table.shutdown(2000);
  for (const pid of pids) assert.equal(isAlive(pid), false);
});
