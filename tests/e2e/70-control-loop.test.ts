/**
 * The control loop on the live stack (issue 8): the controller started by `brewops up` acts
 * (dryRun: false pushed through `brewops config push`) while GET load runs through the gateway
 * against the two member instances. Each scenario is injected on one instance: crash (kill -9),
 * hang (SIGSTOP), error storm (faults.errorRatio 1), slow responses (faults.latencyMs 1500),
 * memory growth (faults.memoryGrowthMbPerSec past the controller's traffic.maxRssMb).
 * For each: the incident shows the instance rerouted first, then recovered (restarted and/or
 * reinstated as the rules say, then verified: ready and within the SLO for the controller's
 * rules.verifyWindowMs, 3 s under BREWOPS_ENV=test, before the incident closes), and the member is
 * back in service. Outcomes are asserted; timings and client-visible errors are printed. The
 * repository's config is pushed again at the end.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readState, supervisorClient } from '@brewops/cli';
import { Discovery } from '@brewops/platform';
import { eventually, sleep, urls } from '../support/stack.js';
import { incidents, load, pushWith, restoreConfig } from './70-controller-helpers.js';
import type { Incident } from './70-controller-helpers.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const supervisor = supervisorClient(readState());
let discovery: Discovery;

async function memberPid(id: string): Promise<number> {
  const i = (await supervisor.instances()).find((x) => x.id === id);
  assert.ok(i?.pid, `${id} has no pid in the supervisor`);
  return i.pid;
}

/** Both members ready, in service (no override) and healthy in the controller's eyes. */
async function settled(): Promise<void> {
  let last = '';
  await eventually('both members healthy, in service, no action pending', async () => {
    const body = await incidents().catch(() => undefined);
    last = JSON.stringify({ controller: body?.instances.filter((i) => i.service === 'member'), overrides: (await discovery.list('member').catch(() => [])).map((l) => [l.instanceId, l.override]) });
    const members = body?.instances.filter((i) => i.service === 'member') ?? [];
    const listed = await discovery.list('member').catch(() => []);
    const ok = members.length >= 2 && members.every((m) => m.state === 'healthy' && m.pending === null && !m.rerouted && m.flagged === null)
      && listed.length >= 2 && listed.every((l) => l.override === null)
      && (body?.incidents ?? []).every((inc) => inc.status !== 'open');
    return ok ? true : undefined;
  }, 60_000, 100).catch((err: Error) => {
    throw new Error(`${err.message}; last seen: ${last}`);
  });
}

/** The first incident of `id` opened after `since` and closed (which now includes the verification window). */
async function closedIncident(id: string, since: number, timeoutMs = 60_000): Promise<Incident> {
  return eventually(`the incident of ${id} to close`, async () =>
    (await incidents()).incidents.find((i) => i.instanceId === id && Date.parse(i.openedAt) >= since && i.status !== 'open'), timeoutMs, 50);
}

function steps(inc: Incident): string[] {
  return inc.timeline.filter((t) => t.type === 'action').map((t) => `${t.action}:${t.result}`);
}

/**
 * Closed because the verification window passed: the instance went into `verifying` after its last
 * reinstatement and the incident's last line is `verifying → healthy`, `verified: …`. A failed
 * verification before it (a fault still there in traffic) is allowed: it is printed by `report`.
 */
function assertVerified(inc: Incident): void {
  const lastReinstate = inc.timeline.findLastIndex((t) => t.type === 'action' && t.action === 'reinstate');
  assert.ok(lastReinstate >= 0, `reinstated: ${JSON.stringify(inc.timeline, null, 1)}`);
  assert.ok(inc.timeline.slice(lastReinstate).some((t) => t.type === 'state' && t.to === 'verifying'), 'verifying after the reinstatement');
  const last = inc.timeline.at(-1)!;
  assert.deepEqual([last.type, last.from, last.to], ['state', 'verifying', 'healthy'], JSON.stringify(inc.timeline.slice(-4), null, 1));
  assert.match(last.detail, /^verified: ready and within SLO for \d+ ms$/);
}

function report(name: string, inc: Incident, t0: number, seen: { total: number; failed: number; codes: Record<string, number> }): void {
  const at = (pred: (t: Incident['timeline'][number]) => boolean): string => {
    const e = inc.timeline.find(pred);
    return e ? `${Date.parse(e.at) - t0} ms` : '–';
  };
  console.log(
    `  ${name}: detected ${at((t) => t.type === 'suspect')}, rerouted ${at((t) => t.type === 'action' && t.action === 'reroute')}, ` +
    `restart ${at((t) => t.type === 'action' && t.action === 'restart')}, reinstated ${at((t) => t.type === 'action' && t.action === 'reinstate')}, ` +
    `verified ${at((t) => t.type === 'verified')} after the injection; steps ${steps(inc).join(' → ')}; ` +
    `failed verifications ${inc.timeline.filter((t) => t.type === 'verification_failed').map((t) => t.detail).join('; ') || 'none'}; ` +
    `client-visible errors ${seen.failed}/${seen.total} ${JSON.stringify(seen.codes)}`,
  );
}

before(async () => {
  discovery = new Discovery({ hosts: [urls.etcd()], logger: quiet as never });
  await pushWith(false);
  await settled();
});

after(async () => {
  await restoreConfig();
  await discovery?.close();
});

describe('control loop on the live stack (controller acting)', () => {
  it('crash (kill -9): rerouted, restarted through the supervisor, reinstated once ready', async () => {
    const pid = await memberPid('member-1');
    const l = load(50);
    await sleep(500);
    const t0 = Date.now();
    process.kill(pid, 'SIGKILL');
    const inc = await closedIncident('member-1', t0 - 50);
    await settled();
    const seen = await l.stop();
    report('crash', inc, t0, seen);
    assert.equal(inc.status, 'recovered', JSON.stringify(inc.timeline, null, 1));
    assert.deepEqual(steps(inc), ['reroute:ok', 'restart:ok', 'reinstate:ok']);
    assertVerified(inc);
    assert.notEqual(await memberPid('member-1'), pid, 'a new process runs member-1');
    assert.match(inc.traceId, /^[0-9a-f]{32}$/);
  });

  it('hang (SIGSTOP): rerouted, restarted (the stopped process is killed), reinstated', async () => {
    const pid = await memberPid('member-2');
    const l = load(50);
    await sleep(500);
    const t0 = Date.now();
    process.kill(pid, 'SIGSTOP');
    let inc: Incident;
    try {
      inc = await closedIncident('member-2', t0 - 50, 90_000);
    } finally {
      try { process.kill(pid, 'SIGCONT'); } catch { /* already gone: restarted */ }
    }
    await settled();
    const seen = await l.stop();
    report('hang', inc, t0, seen);
    assert.equal(inc.status, 'recovered', JSON.stringify(inc.timeline, null, 1));
    assert.equal(steps(inc)[0], 'reroute:ok');
    assert.ok(steps(inc).includes('restart:ok'), `restarted: ${steps(inc).join(', ')}`);
    assert.equal(steps(inc).at(-1), 'reinstate:ok');
    assertVerified(inc);
    assert.notEqual(await memberPid('member-2'), pid, 'the hung process was replaced');
  });

  for (const [name, fault] of [['error storm (faults.errorRatio: 1)', 'errorRatio: 1'], ['slow responses (faults.latencyMs: 1500)', 'latencyMs: 1500']] as const) {
    it(`${name}: rerouted while it lasts, reinstated after it is cleared`, async () => {
      const l = load(50);
      await sleep(500);
      const t0 = Date.now();
      await pushWith(false, { 'services/member.<env>.yaml': `faults:\n  instances:\n    member-1:\n      ${fault}\n` });
      const rerouted = await eventually('member-1 rerouted', async () => {
        const listed = (await discovery.list('member')).find((i) => i.instanceId === 'member-1');
        return listed?.override === 'OUT_OF_SERVICE' ? Date.now() : undefined;
      }, 30_000, 20);
      const other = (await discovery.list('member')).find((i) => i.instanceId === 'member-2');
      assert.equal(other?.override, null, 'the healthy member-2 stays in service');
      await sleep(1500);
      await pushWith(false); // fault cleared
      const inc = await closedIncident('member-1', t0 - 50, 90_000);
      await settled();
      const seen = await l.stop();
      report(name, inc, t0, seen);
      console.log(`    override written ${rerouted - t0} ms after the push started`);
      assert.equal(inc.status, 'recovered', JSON.stringify(inc.timeline, null, 1));
      assert.equal(steps(inc)[0], 'reroute:ok');
      assert.equal(steps(inc).at(-1), 'reinstate:ok');
      assertVerified(inc);
    });
  }
  it('memory growth (faults.memoryGrowthMbPerSec): rerouted when it passes traffic.maxRssMb, reinstated once back under it', async () => {
    const member1 = (await discovery.list('member')).find((i) => i.instanceId === 'member-1')!;
    const rss0 = Number(/^process_resident_memory_bytes (\S+)$/m.exec(await (await fetch(`http://${member1.host}:${member1.port}/metrics`)).text())![1]) / 1024 / 1024;
    const limit = Math.ceil(rss0 + 40);
    const l = load(50);
    await sleep(500);
    const t0 = Date.now();
    await pushWith(false, { 'services/member.<env>.yaml': 'faults:\n  instances:\n    member-1:\n      memoryGrowthMbPerSec: 25\n      memoryCapMb: 150\n' }, `traffic:\n  maxRssMb: ${limit}\n`);
    const rerouted = await eventually('member-1 rerouted for its memory', async () => {
      const listed = (await discovery.list('member')).find((i) => i.instanceId === 'member-1');
      return listed?.override === 'OUT_OF_SERVICE' ? Date.now() : undefined;
    }, 30_000, 20);
    await pushWith(false); // fault cleared, default limit
    const inc = await closedIncident('member-1', t0 - 50, 90_000);
    await settled();
    const seen = await l.stop();
    report(`memory growth (RSS ${rss0.toFixed(0)} MB, limit ${limit} MB)`, inc, t0, seen);
    console.log(`    override written ${rerouted - t0} ms after the push started`);
    assert.equal(inc.status, 'recovered', JSON.stringify(inc.timeline, null, 1));
    assert.ok(inc.timeline.some((t) => t.type === 'suspect' && t.detail === 'alert memory'), `the memory signal raised it: ${JSON.stringify(inc.timeline.slice(0, 3))}`);
    assert.equal(steps(inc)[0], 'reroute:ok');
    assert.equal(steps(inc).at(-1), 'reinstate:ok');
    assertVerified(inc);
  });
});
