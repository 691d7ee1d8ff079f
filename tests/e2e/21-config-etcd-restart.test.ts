/**
 * Central config on running member instances of this test's own (a private etcd, so nothing
 * here registers with the stack or gets its traffic): a push changes the log level and a fault
 * flag without a restart and moves the revision metric; an invalid value written straight into
 * etcd is refused by every instance, which keep serving on the old config; etcd stopped and
 * restarted: instances keep running and pick up a change made after it returns.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigStore, semconv } from '@brewops/platform';
import { eventually, sleep } from '../support/stack.js';
import { configCopy, memberRequestLines, metric, PrivateEtcd, PrivateMember, push } from './20-config-helpers.js';

const run = Date.now().toString(36);
const stateDir = mkdtempSync(join(tmpdir(), 'brewops-e2e-cfg-'));
let etcd: PrivateEtcd;
let store: ConfigStore;
let admin: ConfigStore['client'];
let members: PrivateMember[] = [];
const dirs: string[] = [];

const lookup = (m: PrivateMember): Promise<Response> => fetch(`${m.url}/v1/members/m-100`);
const revisionOf = (m: PrivateMember): Promise<number | undefined> => metric(m.url, semconv.METRIC_CONFIG_REVISION);
const refusedOf = (m: PrivateMember): Promise<number | undefined> => metric(m.url, semconv.METRIC_CONFIG_REFUSED, 'reason="invalid_config"');

async function memberRevision(): Promise<number> {
  const res = await admin.get(semconv.configKey('member')).exec();
  return Number(res.kvs[0]?.mod_revision ?? 0);
}

/** Pushes a config copy with `edits` to the private etcd; resolves with ms until every instance applied it. */
async function pushAndWait(edits: Record<string, string>): Promise<number> {
  const dir = configCopy(edits);
  dirs.push(dir);
  const t0 = performance.now();
  const r = push(dir, 'test', etcd.url);
  assert.equal(r.code, 0, r.stderr);
  const revision = await memberRevision();
  const written = performance.now();
  await eventually(`revision ${revision} applied by every instance`, async () =>
    (await Promise.all(members.map(revisionOf))).every((v) => v === revision) ? true : undefined, 15_000, 20);
  const done = performance.now();
  console.log(`  push of revision ${revision}: CLI ${(written - t0).toFixed(0)} ms, then applied by every instance ${(done - written).toFixed(0)} ms later`);
  return done - t0;
}

before(async () => {
  etcd = await PrivateEtcd.create();
  await etcd.start();
  store = new ConfigStore({ hosts: [etcd.url] });
  admin = store.client;
  members = await Promise.all([1, 2].map((n) => PrivateMember.start(`member-cfg-${run}-${n}`, etcd.url, stateDir)));
});

after(async () => {
  await Promise.all(members.map((m) => m.stop()));
  store?.close();
  await etcd?.destroy();
  for (const d of [stateDir, ...dirs]) rmSync(d, { recursive: true, force: true });
});

test('a push changes the log level and a fault flag in running instances, no restart; the revision metric moves', async () => {
  const pids = members.map((m) => m.proc.pid);
  const baseline = await pushAndWait({});
  console.log(`  baseline push applied by 2 instances in ${baseline.toFixed(0)} ms`);

  // log level: warn silences the info request log; info brings it back
  const quietMs = await pushAndWait({ 'services/member.yaml': 'logLevel: warn' });
  const before = memberRequestLines(members[0]!.log());
  assert.equal((await lookup(members[0]!)).status, 200);
  await sleep(100);
  assert.equal(memberRequestLines(members[0]!.log()), before, 'an info request line was written at level warn');
  await pushAndWait({ 'services/member.yaml': 'logLevel: info' });
  assert.equal((await lookup(members[0]!)).status, 200);
  await eventually('the request line at level info', async () => (memberRequestLines(members[0]!.log()) > before ? true : undefined), 5000, 50);

  // fault flag, for one instance only: it answers 500 injected_fault, the other one 200
  const [a, b] = members as [PrivateMember, PrivateMember];
  const faultMs = await pushAndWait({ 'services/member.yaml': `faults:\n  instances:\n    ${a.id}:\n      errorRatio: 1` });
  const res = await lookup(a);
  assert.equal(res.status, 500);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'injected_fault');
  assert.equal((await lookup(b)).status, 200);
  assert.equal((await fetch(`${a.url}/health/live`)).status, 200, '/health/live is never faulted');
  // latency for the service: every instance slows down
  await pushAndWait({ 'services/member.yaml': 'faults:\n  latencyMs: 300' });
  const t0 = performance.now();
  assert.equal((await lookup(b)).status, 200);
  assert.ok(performance.now() - t0 >= 290, 'latencyMs not applied');
  await pushAndWait({});
  assert.equal((await lookup(a)).status, 200);

  assert.deepEqual(members.map((m) => m.proc.pid), pids);
  assert.ok(members.every((m) => m.proc.exitCode === null), 'no instance restarted');
  console.log(`  push → applied by both instances: log level ${quietMs.toFixed(0)} ms, fault flag ${faultMs.toFixed(0)} ms`);
});

test('an invalid value written straight into etcd is refused by every instance; they keep serving on the old one', async () => {
  const revision = await memberRevision();
  const refusedBefore = await Promise.all(members.map(refusedOf));
  const current = JSON.parse((await admin.get(semconv.configKey('member')).string())!) as { config: Record<string, unknown> };
  await admin.put(semconv.configKey('member')).value(JSON.stringify({ ...current, config: { ...current.config, faults: { errorRatio: 7 } } }));
  await eventually('every instance to count a refusal', async () => {
    const now = await Promise.all(members.map(refusedOf));
    return now.every((v, i) => v === (refusedBefore[i] ?? 0) + 1) ? true : undefined;
  }, 10_000, 50);
  for (const m of members) {
    assert.equal(await revisionOf(m), revision, `${m.id} moved off the old revision`);
    assert.equal((await lookup(m)).status, 200);
    assert.match(m.log(), /config refused: faults\.errorRatio: Too big/);
  }
});

test('etcd stopped and restarted: instances keep running on their config and pick up a later change', async () => {
  await etcd.stop();
  await sleep(1000);
  for (const m of members) assert.equal((await lookup(m)).status, 200, `${m.id} stopped serving while etcd is down`);
  await etcd.start();
  const ms = await pushAndWait({ 'services/member.yaml': 'faults:\n  errorRatio: 1' });
  for (const m of members) assert.equal((await lookup(m)).status, 500, `${m.id} did not apply the change made after etcd returned`);
  await pushAndWait({});
  for (const m of members) assert.equal((await lookup(m)).status, 200);
  console.log(`  etcd restarted; a push after it returned applied by both instances in ${ms.toFixed(0)} ms`);
});
