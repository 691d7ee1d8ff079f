// The control loop end to end on real processes: a private etcd (free ports, temp dir), real
// member processes registered in it, a test supervisor that really restarts them, and the
// controller as its own process. Needs /usr/bin/etcd and RabbitMQ on 5672 (log shipping only).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Discovery } from '@brewops/platform';
import type { Incident } from '../../src/incidents.js';
import type { InstanceSnapshot } from '../../src/engine.js';
import { FakeSupervisor } from './fake-supervisor.js';
import { freePort, PrivateEtcd, ROOT, startNode, stopProcess, tempDir, waitFor } from './fixtures.js';

const silent = { info() {}, warn() {}, error() {}, debug() {} };
const supervisorToken = randomBytes(16).toString('hex');
const webhookToken = randomBytes(16).toString('hex');
const dir = tempDir('brewops-ctl-test-');

let etcd: PrivateEtcd;
let discovery: Discovery;
let supervisor: FakeSupervisor;
let controller: ReturnType<typeof startNode> | undefined;
let controllerUrl = '';

interface IncidentsBody { dryRun: boolean; instances: InstanceSnapshot[]; incidents: Incident[] }

async function incidents(): Promise<IncidentsBody> {
  const res = await fetch(`${controllerUrl}/v1/incidents`);
  assert.equal(res.status, 200);
  return (await res.json()) as IncidentsBody;
}

async function override(service: string, id: string): Promise<string | null | undefined> {
  return (await discovery.list(service)).find((i) => i.instanceId === id)?.override;
}

async function ready(service: string, id: string): Promise<boolean> {
  const info = (await discovery.list(service)).find((i) => i.instanceId === id);
  if (!info) return false;
  const res = await fetch(`http://${info.host}:${info.port}/health/ready`, { signal: AbortSignal.timeout(500) }).catch(() => undefined);
  return res?.status === 200;
}

async function startController(extra: NodeJS.ProcessEnv = {}): Promise<void> {
  const port = await freePort();
  const stateDir = join(dir, `controller-${port}`);
  mkdirSync(stateDir, { recursive: true });
  controllerUrl = `http://127.0.0.1:${port}`;
  controller = startNode(join(ROOT, 'services', 'controller', 'dist', 'src', 'main.js'), {
    ETCD_HOSTS: etcd.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info',
    BREWOPS_SERVICE: 'controller', BREWOPS_INSTANCE_ID: `controller-${port}`, BREWOPS_STATE_DIR: stateDir,
    CONTROLLER_SUPERVISOR_URL: supervisor.url, CONTROLLER_SUPERVISOR_TOKEN_FILE: join(dir, 'admin-token'),
    CONTROLLER_WEBHOOK_TOKEN_FILE: join(dir, 'webhook-token'),
    // Not the stack's Prometheus (127.0.0.1:9090 by default): its series of the stack's own
    // member-1 and member-2 would be taken for this test's instances of the same IDs. Nothing
    // listens here, so the Prometheus signal stays paused (one warning) and the loop goes on.
    PROMETHEUS_URL: `http://127.0.0.1:${await freePort()}`,
    ...extra,
  });
  const c = controller;
  await waitFor('the controller to follow member-1, member-2, solo-1 as healthy', async () => {
    if (c.exitCode !== null) throw new Error(`controller exited: ${c.output()}`);
    const body = await incidents().catch(() => undefined);
    return body !== undefined && body.instances.filter((i) => i.state === 'healthy').length === 3;
  }, 20_000, 50);
}

/** Samples a condition every 10 ms until stopped; returns when it was first true. */
function watchFor(probe: () => Promise<boolean>): { first: () => number | undefined; stop: () => Promise<void> } {
  let first: number | undefined;
  let running = true;
  const loop = (async () => {
    while (running) {
      if (first === undefined && (await probe().catch(() => false))) first = Date.now();
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return { first: () => first, stop: async () => { running = false; await loop; } };
}

before(async () => {
  writeFileSync(join(dir, 'admin-token'), `${supervisorToken}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'webhook-token'), `${webhookToken}\n`, { mode: 0o600 });
  etcd = await PrivateEtcd.start();
  discovery = new Discovery({ hosts: [etcd.url], logger: silent });
  supervisor = new FakeSupervisor(supervisorToken, { ETCD_HOSTS: etcd.url });
  await supervisor.listen();
  supervisor.add('member-1', 'member');
  supervisor.add('member-2', 'member');
  supervisor.add('solo-1', 'solo');
  await waitFor('member-1, member-2, solo-1 registered and ready', async () =>
    (await ready('member', 'member-1')) && (await ready('member', 'member-2')) && (await ready('solo', 'solo-1')), 30_000, 50);
  await startController();
});

after(async () => {
  if (controller) await stopProcess(controller);
  await supervisor?.close();
  await discovery?.close();
  await etcd?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('control loop', () => {
  it('kill -9 of one member: detected, rerouted, restarted through the actuator, reinstated once ready, verified over the window', async () => {
    const pid = supervisor.get('member-1').proc.pid!;
    const rerouted = watchFor(async () => (await override('member', 'member-1')) === 'OUT_OF_SERVICE');
    const t0 = Date.now();
    process.kill(pid, 'SIGKILL');
    const inc = await waitFor('the incident of member-1 to close', async () =>
      (await incidents()).incidents.find((i) => i.instanceId === 'member-1' && i.status !== 'open'), 30_000, 20);
    const recoveredAt = Date.now();
    await rerouted.stop();
    assert.equal(inc.status, 'recovered', JSON.stringify(inc.timeline, null, 1));
    assert.ok(rerouted.first() !== undefined, 'the OUT_OF_SERVICE override was in etcd');
    assert.equal(await override('member', 'member-1'), null, 'reinstated: override removed');
    assert.ok(await ready('member', 'member-1'), 'the restarted member-1 is ready');
    assert.notEqual(supervisor.get('member-1').proc.pid, pid, 'a new process');
    const restart = supervisor.restartRequests.find((r) => r.id === 'member-1' && r.at >= t0);
    assert.ok(restart, 'restarted through the supervisor admin API');
    const steps = inc.timeline.filter((t) => t.type === 'action').map((t) => `${t.action}:${t.result}`);
    assert.deepEqual(steps, ['reroute:ok', 'restart:ok', 'reinstate:ok']);
    // reinstated, then verified over the window before the incident closed
    const tail = inc.timeline.slice(inc.timeline.findIndex((t) => t.type === 'action' && t.action === 'reinstate'));
    assert.deepEqual(tail.filter((t) => t.type === 'state' || t.type === 'verified').map((t) => t.type === 'state' ? `→ ${t.to}` : t.type), ['→ verifying', 'verified', '→ healthy']);
    assert.equal(inc.timeline.at(-1)?.detail, 'verified: ready and within SLO for 5000 ms');
    assert.match(inc.traceId, /^[0-9a-f]{32}$/);
    const exposition = await (await fetch(`${controllerUrl}/metrics`)).text();
    assert.match(exposition, /brewops_controller_actions_total\{action="reroute",result="ok"\} 1/);
    assert.match(exposition, /brewops_controller_recovery_seconds_count\{target_service="member"\} 1/);
    assert.match(exposition, /brewops_controller_verifications_total\{target_service="member",result="passed"\} 1/);
    console.log(inc.timeline.map((t) => `  +${t.sinceFailureMs} ms ${t.type}${t.action ? ` ${t.action}` : ''}${t.result ? ` → ${t.result}` : ''}: ${t.detail}`).join('\n'));
    const detectAt = Date.parse(inc.timeline.find((t) => t.type === 'decision' && t.action === 'reroute')!.at);
    console.log(
      `member-1 kill -9 → detected (reroute decision) ${detectAt - t0} ms, override in etcd ${rerouted.first()! - t0} ms, ` +
      `restart requested ${restart.at - t0} ms, ready and reinstated ${Date.parse(inc.failingSince) + inc.durations.recoveryMs! - t0} ms, ` +
      `verified (incident closed) ${Date.parse(inc.closedAt!) - t0} ms ` +
      `(seen by the test ${recoveredAt - t0} ms); controller's own: ${JSON.stringify(inc.durations)}`,
    );
  });

  it('the last healthy instance of a service is never rerouted (its dead process is restarted in place)', async () => {
    // One read per sample: two reads could see the instance gone (undefined) then re-registered
    // (null) and count that as an override; this race made the case fail once under load.
    const rerouted = watchFor(async () => { const o = await override('solo', 'solo-1'); return o !== null && o !== undefined; });
    const t0 = Date.now();
    process.kill(supervisor.get('solo-1').proc.pid!, 'SIGKILL');
    const inc = await waitFor('the incident of solo-1 to close', async () =>
      (await incidents()).incidents.find((i) => i.instanceId === 'solo-1' && i.status !== 'open'), 30_000, 20);
    await rerouted.stop();
    assert.equal(rerouted.first(), undefined, 'no override was ever written for the last healthy instance');
    assert.ok(inc.timeline.some((t) => t.type === 'blocked' && /last healthy/.test(t.detail)), JSON.stringify(inc.timeline, null, 1));
    assert.deepEqual(inc.timeline.filter((t) => t.type === 'action').map((t) => `${t.action}:${t.result}`), ['restart:ok', 'reinstate:ok']);
    console.log(`solo-1 (single instance) kill -9 → not rerouted; restarted in place, ready ${Date.parse(inc.failingSince) + inc.durations.recoveryMs! - t0} ms, verified ${Date.parse(inc.closedAt!) - t0} ms`);
  });

  it('POST /v1/alerts needs the bearer token', async () => {
    const hook = { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'X', service: 'member', instance_id: 'nope' } }] };
    const bad = await fetch(`${controllerUrl}/v1/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer wrong' }, body: JSON.stringify(hook) });
    assert.equal(bad.status, 401);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'unauthorized');
    const good = await fetch(`${controllerUrl}/v1/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${webhookToken}` }, body: JSON.stringify(hook) });
    assert.equal(good.status, 200);
    assert.deepEqual(await good.json(), { accepted: 0, ignored: 0, unknownInstances: 1, stale: 0 });
  });

  it('an alert that began before the instance\'s current registration is stale: nothing happens', async () => {
    const startsAt = new Date(Date.now() - 3_600_000).toISOString(); // about the process before the restart
    const hook = { version: '4', status: 'firing', alerts: [{ status: 'firing', startsAt, labels: { alertname: 'BrewopsInstanceDown', severity: 'critical', service: 'member', instance_id: 'member-1' } }] };
    const res = await fetch(`${controllerUrl}/v1/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${webhookToken}` }, body: JSON.stringify(hook) });
    assert.deepEqual(await res.json(), { accepted: 0, ignored: 0, unknownInstances: 0, stale: 1 });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await override('member', 'member-1'), null, 'member-1 stays in service');
    assert.equal((await incidents()).instances.find((i) => i.instanceId === 'member-1')?.state, 'healthy');
  });

  it('a critical alert from Alertmanager reroutes and restarts a ready instance, then reinstates it', async () => {
    const pid = supervisor.get('member-2').proc.pid!;
    const rerouted = watchFor(async () => (await override('member', 'member-2')) === 'OUT_OF_SERVICE');
    const hook = { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'BrewopsHighErrorRatio', severity: 'critical', service: 'member', instance_id: 'member-2' } }] };
    const t0 = Date.now();
    const res = await fetch(`${controllerUrl}/v1/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${webhookToken}` }, body: JSON.stringify(hook) });
    assert.deepEqual(await res.json(), { accepted: 1, ignored: 0, unknownInstances: 0, stale: 0 });
    const inc = await waitFor('the incident of member-2 to close', async () =>
      (await incidents()).incidents.find((i) => i.instanceId === 'member-2' && i.status !== 'open'), 30_000, 20);
    await rerouted.stop();
    assert.equal(inc.status, 'recovered', JSON.stringify(inc.timeline, null, 1));
    assert.ok(rerouted.first() !== undefined);
    assert.notEqual(supervisor.get('member-2').proc.pid, pid, 'restarted');
    assert.equal(await override('member', 'member-2'), null);
    console.log(`member-2 alert → override ${rerouted.first()! - t0} ms, reinstated ${Date.parse(inc.failingSince) + inc.durations.recoveryMs! - t0} ms, verified ${Date.parse(inc.closedAt!) - t0} ms`);
  });

  it('an alert while the reinstated instance is verifying: recovery recorded as failed, rerouted and restarted again, then verified', async () => {
    const alert = async (): Promise<void> => {
      const hook = { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'BrewopsHighErrorRatio', severity: 'critical', service: 'member', instance_id: 'member-2' } }] };
      const res = await fetch(`${controllerUrl}/v1/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${webhookToken}` }, body: JSON.stringify(hook) });
      assert.deepEqual(await res.json(), { accepted: 1, ignored: 0, unknownInstances: 0, stale: 0 });
    };
    const t0 = Date.now();
    await alert();
    await waitFor('member-2 reinstated and verifying', async () =>
      (await incidents()).instances.find((i) => i.instanceId === 'member-2' && i.state === 'verifying'), 30_000, 20);
    assert.equal(await override('member', 'member-2'), null, 'back in traffic while verifying');
    const during = await incidents();
    assert.equal(during.incidents.find((i) => i.instanceId === 'member-2' && Date.parse(i.openedAt) >= t0 - 1000)?.status, 'open', 'the incident stays open while verifying');
    const restartsBefore = supervisor.restartRequests.filter((r) => r.id === 'member-2').length;
    await alert(); // the breach: the fault is still there after the restart
    const inc = await waitFor('the incident of member-2 to close', async () =>
      (await incidents()).incidents.find((i) => i.instanceId === 'member-2' && Date.parse(i.openedAt) >= t0 - 1000 && i.status !== 'open'), 40_000, 20);
    assert.equal(inc.status, 'recovered', JSON.stringify(inc.timeline, null, 1));
    const failed = inc.timeline.find((t) => t.type === 'verification_failed');
    assert.match(failed?.detail ?? '', /^alert: BrewopsHighErrorRatio, \d+ ms into the 5000 ms window$/, JSON.stringify(inc.timeline, null, 1));
    assert.deepEqual(inc.timeline.filter((t) => t.type === 'action').map((t) => `${t.action}:${t.result}`),
      ['reroute:ok', 'restart:ok', 'reinstate:ok', 'reroute:ok', 'restart:ok', 'reinstate:ok'], 'the next step after the failed verification: reroute, then restart');
    assert.equal(supervisor.restartRequests.filter((r) => r.id === 'member-2').length, restartsBefore + 1, 'restarted again');
    assert.equal(inc.timeline.at(-1)?.to, 'healthy');
    assert.equal(await override('member', 'member-2'), null);
    const exposition = await (await fetch(`${controllerUrl}/metrics`)).text();
    assert.match(exposition, /brewops_controller_verifications_total\{target_service="member",result="failed"\} 1/);
    const at = (t: { at: string }): number => Date.parse(t.at) - t0;
    console.log(`member-2 breach while verifying → verification failed ${at(failed!)} ms, rerouted again, restarted, verified ${Date.parse(inc.closedAt!) - t0} ms after the first alert`);
  });

  it('an override the controller did not write (an operator\'s) is left alone', async () => {
    await discovery.setOverride('member', 'member-1', 'OUT_OF_SERVICE');
    const held = await waitFor('member-1 held', async () => (await incidents()).instances.find((i) => i.instanceId === 'member-1' && i.held), 5000, 20);
    assert.equal(held.state, 'healthy');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await override('member', 'member-1'), 'OUT_OF_SERVICE', 'still out of service after 1 s');
    await discovery.setOverride('member', 'member-1', null);
    await waitFor('member-1 released', async () => (await incidents()).instances.find((i) => i.instanceId === 'member-1' && !i.held), 5000, 20);
  });

  it('dry-run decides and records but changes nothing in etcd and restarts nothing', async () => {
    await stopProcess(controller!);
    await startController({ CONTROLLER_DRY_RUN: 'true' });
    assert.equal((await incidents()).dryRun, true);
    const restartsBefore = supervisor.restartRequests.length;
    const rerouted = watchFor(async () => (await override('member', 'member-2')) === 'OUT_OF_SERVICE');
    process.kill(supervisor.get('member-2').proc.pid!, 'SIGKILL');
    const inc = await waitFor('a dry-run restart decision for member-2', async () =>
      (await incidents()).incidents.find((i) => i.instanceId === 'member-2' && i.timeline.some((t) => t.action === 'restart' && t.result === 'dry_run')), 20_000, 20);
    await new Promise((r) => setTimeout(r, 500));
    await rerouted.stop();
    assert.equal(inc.dryRun, true);
    assert.ok(inc.timeline.some((t) => t.action === 'reroute' && t.result === 'dry_run'));
    assert.equal(rerouted.first(), undefined, 'no override written');
    assert.notEqual(await override('member', 'member-2'), 'OUT_OF_SERVICE', 'no override key');
    assert.equal(supervisor.restartRequests.length, restartsBefore, 'no restart requested');
  });
  it('two controller replicas: one leader acts, the standby takes over when it stops', async () => {
    // the dry-run case left member-2 dead: bring it back through the (test) supervisor first
    await fetch(`${supervisor.url}/v1/instances/member-2/restart`, { method: 'POST', headers: { authorization: `Bearer ${supervisorToken}` } });
    await waitFor('member-2 ready again', async () => ready('member', 'member-2'), 30_000, 50);
    await stopProcess(controller!);
    await startController();
    const a = controller!;
    const aUrl = controllerUrl;
    await startController();
    const bUrl = controllerUrl;
    const body = async (url: string): Promise<IncidentsBody & { leader: boolean }> => (await (await fetch(`${url}/v1/incidents`)).json()) as IncidentsBody & { leader: boolean };
    await waitFor('exactly one leader', async () => ((await body(aUrl)).leader !== (await body(bUrl)).leader ? true : undefined), 10_000, 50);
    assert.equal((await body(aUrl)).leader, true, 'the replica that campaigned first leads');

    const t0 = Date.now();
    process.kill(supervisor.get('member-1').proc.pid!, 'SIGKILL');
    const inc = await waitFor('the leader to recover member-1', async () =>
      (await body(aUrl)).incidents.find((i) => i.instanceId === 'member-1' && Date.parse(i.openedAt) >= t0 - 1000 && i.status !== 'open'), 30_000, 20);
    assert.equal(inc.status, 'recovered', JSON.stringify(inc.timeline, null, 1));
    assert.deepEqual((await body(bUrl)).incidents.filter((i) => Date.parse(i.openedAt) >= t0 - 1000), [], 'the standby recorded and did nothing');
    const restarts = supervisor.restartRequests.filter((r) => r.id === 'member-1' && r.at >= t0);
    assert.equal(restarts.length, 1, 'one restart, by one controller');

    const tStop = Date.now();
    await stopProcess(a);
    await waitFor('the standby elected', async () => ((await body(bUrl)).leader ? true : undefined), 10_000, 20);
    console.log(`two replicas: leader recovered member-1 alone (1 restart); standby took over ${Date.now() - tStop} ms after the leader's SIGTERM`);
    const t1 = Date.now();
    process.kill(supervisor.get('member-2').proc.pid!, 'SIGKILL');
    const inc2 = await waitFor('the new leader to recover member-2', async () =>
      (await body(bUrl)).incidents.find((i) => i.instanceId === 'member-2' && Date.parse(i.openedAt) >= t1 - 1000 && i.status !== 'open'), 30_000, 20);
    assert.equal(inc2.status, 'recovered', JSON.stringify(inc2.timeline, null, 1));
  });
});
