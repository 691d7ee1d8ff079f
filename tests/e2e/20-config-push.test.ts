/**
 * `brewops config` against the live stack: invalid pushes (wrong type, unknown key, out-of-range
 * value, broken YAML) are refused naming file, key and reason, and nothing changes in etcd; a
 * valid push changes the log level and a fault flag of the running member instances without a
 * restart and moves their revision metric; get, history and rollback. The stack's config is
 * pushed again from config/ at the end.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigStore, Discovery, semconv } from '@brewops/platform';
import type { InstanceStatus } from '@brewops/platform';
import { brewops, eventually, root, sleep, urls } from '../support/stack.js';
import { configCopy, memberRequestLines, metric, push } from './20-config-helpers.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const logsDir = join(process.env['BREWOPS_HOME'] ?? join(root, '.brewops'), 'logs');
const store = new ConfigStore({ hosts: [urls.etcd()] });
const dirs: string[] = [];
let env = 'dev';
let members: Array<{ id: string; url: string }> = [];

const urlOf = (i: InstanceStatus): string => `http://${i.host}:${i.port}`;
const logOf = (id: string): string => readFileSync(join(logsDir, `${id}.log`), 'utf8');
const lookup = (url: string): Promise<Response> => fetch(`${url}/v1/members/m-100`);

/** mod revision of every config key (what a refused push must leave untouched). */
async function configRevisions(): Promise<Record<string, number>> {
  const res = await store.client.getAll().prefix(semconv.configKey('')).exec();
  return Object.fromEntries(res.kvs.map((kv) => [kv.key.toString(), Number(kv.mod_revision)]));
}

async function waitApplied(revision: number): Promise<number> {
  const t0 = performance.now();
  await eventually(`revision ${revision} applied by every member instance`, async () =>
    (await Promise.all(members.map((m) => metric(m.url, semconv.METRIC_CONFIG_REVISION)))).every((v) => v === revision) ? true : undefined, 15_000, 20);
  return performance.now() - t0;
}

async function pushEdits(edits: Record<string, string>): Promise<{ revision: number; appliedMs: number }> {
  const dir = configCopy(edits);
  dirs.push(dir);
  const r = push(dir, env);
  assert.equal(r.code, 0, r.stderr);
  const revision = (await store.read('member'))!.revision;
  return { revision, appliedMs: await waitApplied(revision) };
}

before(async () => {
  env = (await store.read('member').catch(() => null))?.document.env ?? 'dev';
  const r = brewops('config', 'push', '--env', env);
  assert.equal(r.code, 0, r.stderr);
  const discovery = new Discovery({ hosts: [urls.etcd()], logger: quiet as never });
  try {
    members = (await discovery.list('member')).filter((i) => i.override === null).map((i) => ({ id: i.instanceId, url: urlOf(i) }));
  } finally {
    await discovery.close();
  }
  assert.ok(members.length >= 2, `need two member instances, have ${members.length}`);
  await waitApplied((await store.read('member'))!.revision);
});

after(async () => {
  const r = brewops('config', 'push', '--env', env);
  store.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  assert.equal(r.code, 0, `restoring the stack's config failed: ${r.stderr}`);
});

test('invalid pushes are refused with file, key and reason; nothing changes in etcd', async () => {
  const cases: Array<[string, Record<string, string>, boolean, RegExp]> = [
    ['wrong type', { 'services/member.yaml': 'logLevel: 3' }, false, /services\/member\.yaml:\d+: logLevel: Invalid option/],
    ['unknown key', { 'services/member.yaml': 'faults:\n  colour: red' }, false, /services\/member\.yaml:\d+: faults\.colour: unknown key/],
    ['out of range', { 'services/order.yaml': 'faults:\n  errorRatio: 1.5' }, false, /services\/order\.yaml:\d+: faults\.errorRatio: Too big: expected number to be <=1/],
    ['broken YAML', { [`env/${env}.yaml`]: 'logLevel: [info' }, true, new RegExp(`env/${env}\\.yaml:\\d+: \\(yaml\\): `)],
  ];
  const before = await configRevisions();
  assert.ok(Object.keys(before).length > 0, 'no config in etcd after the baseline push');
  for (const [what, edits, replace, expected] of cases) {
    const dir = configCopy(edits, replace);
    dirs.push(dir);
    const r = push(dir, env);
    assert.equal(r.code, 1, `${what}: push was not refused`);
    assert.match(r.stderr, /config push refused .*nothing was written/, what);
    assert.match(r.stderr, expected, `${what}: ${r.stderr}`);
  }
  assert.deepEqual(await configRevisions(), before, 'a refused push changed etcd');
});

test('a push changes log level and a fault flag in the running member instances without a restart', async () => {
  const [a, b] = members as [{ id: string; url: string }, { id: string; url: string }];
  const startRevision = await metric(a.url, semconv.METRIC_CONFIG_REVISION);
  const quiet = await pushEdits({ 'services/member.yaml': 'logLevel: warn' });
  assert.ok(quiet.revision > (startRevision ?? 0), 'revision metric did not move');
  const linesBefore = memberRequestLines(logOf(a.id));
  assert.equal((await lookup(a.url)).status, 200);
  await sleep(200);
  assert.equal(memberRequestLines(logOf(a.id)), linesBefore, 'info request line written at level warn');

  const faulty = await pushEdits({ 'services/member.yaml': `faults:\n  instances:\n    ${a.id}:\n      errorRatio: 1` });
  const res = await lookup(a.url);
  assert.equal(res.status, 500);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'injected_fault');
  assert.equal((await lookup(b.url)).status, 200);
  assert.equal((await fetch(`${a.url}/metrics`)).status, 200, '/metrics is never faulted');

  // get names the layer of each key; history lists the versions; rollback restores the first one
  const get = brewops('config', 'get', 'member');
  assert.equal(get.code, 0, get.stderr);
  assert.match(get.stdout, new RegExp(`faults\\.instances\\.${a.id}\\.errorRatio\\s+1\\s+\\S*services/member\\.yaml`));
  assert.match(get.stdout, /faults\.latencyMs\s+0\s+\S*base\.yaml/);
  const history = brewops('config', 'history', 'member');
  assert.match(history.stdout, new RegExp(`^${faulty.revision}\\s.*faults\\.instances\\.${a.id}\\.errorRatio`, 'm'));
  const back = brewops('config', 'rollback', 'member', String(quiet.revision));
  assert.equal(back.code, 0, back.stderr);
  await waitApplied((await store.read('member'))!.revision);
  assert.equal((await lookup(a.url)).status, 200, 'rollback did not clear the fault');

  const loud = await pushEdits({ 'services/member.yaml': 'logLevel: info' });
  assert.equal((await lookup(a.url)).status, 200);
  await eventually('the info request line again', async () => (memberRequestLines(logOf(a.id)) > linesBefore ? true : undefined), 5000, 50);
  console.log(`  applied by ${members.length} live member instances after the push: log level ${quiet.appliedMs.toFixed(0)} / ${loud.appliedMs.toFixed(0)} ms, fault flag ${faulty.appliedMs.toFixed(0)} ms`);
});
