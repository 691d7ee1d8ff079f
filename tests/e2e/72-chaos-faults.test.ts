/**
 * Fault flags on the live stack, driven by `brewops chaos <scenario> --target member-1`: each one
 * changes what member-1 does while member-2 (same service, same config document) is unaffected,
 * starts without a restart (same pid) and stops when the run clears it. The controller stays in
 * whatever mode the stack runs (dry-run under npm test), so nothing restarts the instances.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readState, supervisorClient } from '@brewops/cli';
import type { InstanceView } from '@brewops/cli';
import { eventually, root, sleep } from '../support/stack.js';

const supervisor = supervisorClient(readState());
const MAIN = join(root, 'packages', 'cli', 'dist', 'src', 'main.js');

async function instance(id: string): Promise<InstanceView> {
  const i = (await supervisor.instances()).find((x) => x.id === id);
  assert.ok(i, `${id} not in the supervisor's list`);
  return i;
}

async function ready(id: string): Promise<InstanceView> {
  return eventually(`${id} ready`, async () => { const i = await instance(id); return i.state === 'ready' && i.url ? i : undefined; }, 30_000, 250);
}

interface Chaos { done: Promise<{ code: number; out: string }> }

/** Starts `brewops chaos <scenario> --target member-1 --duration <d>` in the background. */
function chaos(scenario: string, duration: string): Chaos {
  const p = spawn(process.execPath, [MAIN, 'chaos', scenario, '--target', 'member-1', '--duration', duration], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (b: Buffer) => void (out += b.toString()));
  p.stderr.on('data', (b: Buffer) => void (out += b.toString()));
  const timer = setTimeout(() => p.kill('SIGINT'), 90_000); // chaos clears its fault on SIGINT
  return { done: new Promise((resolve) => p.on('exit', (code) => { clearTimeout(timer); resolve({ code: code ?? 1, out }); })) };
}

async function lookup(url: string, timeoutMs = 5000): Promise<{ status: number; ms: number; fault: string | null }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/v1/members/m-100`, { signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - t0, fault: res.headers.get('x-brewops-fault') };
}

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15)
}

async function cpuShare(pid: number, ms: number): Promise<number> {
  const a = cpuTicks(pid);
  await sleep(ms);
  return (cpuTicks(pid) - a) / 100 / (ms / 1000);
}

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function brokerConnections(): Promise<string[]> {
  const res = await fetch('http://127.0.0.1:15672/api/connections?columns=client_properties', { headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` } });
  const list = (await res.json()) as { client_properties?: { connection_name?: string } }[];
  return list.map((c) => c.client_properties?.connection_name ?? '');
}

let m1: InstanceView;
let m2: InstanceView;

before(async () => {
  m1 = await ready('member-1');
  m2 = await ready('member-2');
});

after(async () => {
  // whatever happened, leave member-1 running
  const i = await instance('member-1').catch(() => undefined);
  if (i && (i.state === 'exited' || i.state === 'stopped')) await supervisor.start('member-1');
});

async function samePid(): Promise<void> {
  const now = await ready('member-1');
  assert.equal(now.pid, m1.pid, 'member-1 was restarted: the fault must start and stop live');
}

test('error-storm: member-1 answers 500 injected_fault, member-2 200; back to 200 after, same pid', async () => {
  const run = chaos('error-storm', '6s');
  const r = await eventually('member-1 answering 500', async () => { const x = await lookup(m1.url!); return x.status === 500 ? x : undefined; }, 10_000, 100);
  assert.equal(r.fault, 'error');
  assert.equal((await lookup(m2.url!)).status, 200, 'member-2 affected');
  const { code, out } = await run.done;
  assert.equal(code === 0 || code === 1, true, out);
  assert.match(out, /inject {2}faults\.instances\.member-1\.errorRatio=1/);
  assert.match(out, /clear {3}faults\.instances\.member-1: errorRatio put back/);
  assert.equal((await lookup(m1.url!)).status, 200, `member-1 still failing after the run:\n${out}`);
  await samePid();
});

test('slow-responses: member-1 takes ≥ 1 s per request, member-2 does not; fast again after', async () => {
  const run = chaos('slow-responses', '6s');
  const slow = await eventually('member-1 slow', async () => { const x = await lookup(m1.url!); return x.ms >= 950 ? x : undefined; }, 10_000, 100);
  const fast = await lookup(m2.url!);
  console.log(`  member-1 ${slow.ms.toFixed(0)} ms, member-2 ${fast.ms.toFixed(0)} ms`);
  assert.ok(fast.ms < 950, `member-2 slowed down too (${fast.ms.toFixed(0)} ms)`);
  await run.done;
  assert.ok((await lookup(m1.url!)).ms < 950, 'member-1 still slow after the run');
  await samePid();
});

test('request-hang: member-1 accepts but does not answer, member-2 answers; answers again after', async () => {
  const run = chaos('request-hang', '6s');
  await eventually('member-1 hanging', async () => {
    try {
      await lookup(m1.url!, 1500);
      return undefined;
    } catch (err) {
      return /timeout|abort/i.test(String(err)) ? true : undefined;
    }
  }, 12_000, 100);
  assert.equal((await fetch(`${m1.url}/health/live`)).status, 200, 'liveness must still answer');
  assert.equal((await lookup(m2.url!)).status, 200);
  await run.done;
  assert.equal((await lookup(m1.url!)).status, 200);
  await samePid();
});

test('cpu-burn: member-1 busy on the event loop, member-2 idle; stops after', async () => {
  const run = chaos('cpu-burn', '8s');
  // the CLI takes a moment to start and push the flag on a loaded machine: wait until it burns
  const burning = await eventually('member-1 burning CPU', async () => {
    const share = await cpuShare(m1.pid!, 1000);
    return share >= 0.1 ? share : undefined;
  }, 8000, 0).catch(() => 0);
  const other = await cpuShare(m2.pid!, 1000);
  await run.done;
  const afterwards = await cpuShare(m1.pid!, 1500);
  console.log(`  CPU share: member-1 ${burning.toFixed(2)} burning, ${afterwards.toFixed(2)} after; member-2 ${other.toFixed(2)}`);
  // busy-looping is measured in wall time: on a loaded machine the process gets less than half a core
  assert.ok(burning >= 0.1, `member-1 used ${burning.toFixed(2)} of a core while burning`);
  assert.ok(other < burning / 2, `member-2 used ${other.toFixed(2)} of a core`);
  assert.ok(afterwards < burning / 2, `member-1 still burns after the run (${afterwards.toFixed(2)})`);
  await samePid();
});

test('memory-growth: member-1 resident memory grows toward the 64 MB cap, member-2 does not; released after', async () => {
  const [base1, base2] = [rssMb(m1.pid!), rssMb(m2.pid!)];
  const run = chaos('memory-growth', '5s');
  const grown = await eventually('member-1 to grow by 40 MB', async () => (rssMb(m1.pid!) - base1 >= 40 ? rssMb(m1.pid!) : undefined), 10_000, 200);
  const other = rssMb(m2.pid!);
  console.log(`  RSS member-1 ${base1.toFixed(0)} → ${grown.toFixed(0)} MB; member-2 ${base2.toFixed(0)} → ${other.toFixed(0)} MB`);
  assert.ok(other - base2 < 30, 'member-2 grew as well');
  await run.done;
  assert.ok(rssMb(m1.pid!) - base1 < 64 + 30, 'the cap did not hold');
  const log = readFileSync(join(root, '.brewops', 'logs', 'member-1.log'), 'utf8');
  assert.match(log, /fault stopped: memory growth; memory released/);
  await samePid();
});

test('broker-disconnect: member-1 loses its RabbitMQ connection while set, member-2 keeps its own; member-1 reconnects after', async () => {
  assert.ok((await brokerConnections()).includes('member-1'), 'member-1 has no broker connection to begin with');
  const run = chaos('broker-disconnect', '8s');
  await eventually('member-1 connection to be gone', async () => (!(await brokerConnections()).includes('member-1') ? true : undefined), 10_000, 250);
  assert.ok((await brokerConnections()).includes('member-2'), 'member-2 lost its connection too');
  await sleep(2000);
  assert.ok(!(await brokerConnections()).includes('member-1'), 'member-1 reconnected while the flag was still set');
  await run.done;
  await eventually('member-1 to reconnect', async () => ((await brokerConnections()).includes('member-1') ? true : undefined), 15_000, 250);
  await samePid();
});

test('crash-flag: member-1 kills itself once; started again while the stamp is still set, it stays up', async () => {
  const run = chaos('crash-flag', '12s');
  const dead = await eventually('member-1 to crash', async () => { const i = await instance('member-1'); return i.state === 'exited' || (i.pid !== m1.pid && i.pid !== null) ? i : undefined; }, 10_000, 100);
  assert.equal((await instance('member-2')).pid, m2.pid, 'member-2 crashed as well');
  if (dead.state === 'exited') {
    assert.equal(dead.exit?.signal, 'SIGKILL');
    await supervisor.start('member-1'); // the stamp is still in the config
  }
  const restarted = await ready('member-1');
  await sleep(2000);
  assert.equal((await instance('member-1')).pid, restarted.pid, 'the restarted process crashed again on the same stamp');
  const { out } = await run.done;
  assert.match(out, /faults\.instances\.member-1\.crashAt=/);
  m1 = await ready('member-1');
});
