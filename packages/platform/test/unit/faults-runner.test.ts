import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig, serviceConfigSchema } from '../../src/config/index.js';
import type { FaultsConfig } from '../../src/config/index.js';
import { FaultRunner } from '../../src/faults/index.js';
import { createMetrics } from '../../src/metrics/index.js';

function faults(raw: unknown): FaultsConfig {
  const r = validateConfig(serviceConfigSchema(), { faults: raw });
  assert.ok(r.ok);
  return r.value.faults;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function setup(startedAt = Date.parse('2030-01-01T00:00:00Z'), now: () => number = Date.now) {
  const current = { faults: faults({}) };
  const logs: string[] = [];
  const log = (_o: object | string, msg?: string): void => void logs.push(msg ?? '');
  const broker = { drops: 0, resumes: 0, dropConnection() { this.drops++; }, resumeConnection() { this.resumes++; } };
  const crashes: number[] = [];
  const metrics = createMetrics({ service: 'items', instanceId: 'items-1', defaultMetrics: false });
  const runner = new FaultRunner({
    faults: () => current.faults, instanceId: 'items-1', logger: { info: log, warn: log, error: log, debug: log },
    registry: metrics.registry, broker, startedAt, crash: () => crashes.push(Date.now()), sliceMs: 20, now,
  });
  const set = (raw: unknown): void => { current.faults = faults(raw); runner.apply(); };
  const counted = async (kind: string): Promise<number> => {
    const m = new RegExp(`brewops_faults_injected_total\\{kind="${kind}"[^}]*\\} (\\d+)`).exec(await metrics.registry.metrics());
    return m ? Number(m[1]) : 0;
  };
  return { runner, set, logs, broker, crashes, counted };
}

describe('FaultRunner', () => {
  it('crashes a process started before the stamp, once, and not a process started after it', async () => {
    const clock = () => Date.parse('2030-01-01T00:00:10Z');
    const old = setup(Date.parse('2030-01-01T00:00:00Z'), clock);
    old.set({ instances: { 'items-1': { crashAt: '2030-01-01T00:00:05Z' } } });
    assert.equal(old.crashes.length, 1, 'the stamp is past and after the start: crash at once');
    old.set({ instances: { 'items-1': { crashAt: '2030-01-01T00:00:05Z' } }, latencyMs: 1 });
    assert.equal(old.crashes.length, 1, 'the same stamp again does not crash twice');
    assert.equal(await old.counted('crash'), 1);

    const restarted = setup(Date.parse('2030-01-01T00:00:06Z'), clock);
    restarted.set({ instances: { 'items-1': { crashAt: '2030-01-01T00:00:05Z' } } });
    assert.equal(restarted.crashes.length, 0, 'the restarted process reads the same stamp and lives');
    old.runner.close();
    restarted.runner.close();
  });

  it('schedules a future stamp and cancels it when the flag is cleared first', async () => {
    const t = setup(Date.now() - 1000);
    t.set({ instances: { 'items-1': { crashAt: new Date(Date.now() + 60).toISOString() } } });
    assert.equal(t.crashes.length, 0);
    await sleep(150);
    assert.equal(t.crashes.length, 1);
    t.set({ instances: { 'items-1': { crashAt: new Date(Date.now() + 60).toISOString() } } });
    t.set({});
    await sleep(150);
    assert.equal(t.crashes.length, 1, 'a cleared stamp does not fire');
    t.runner.close();
  });

  it('grows memory up to the cap and releases it when cleared', async () => {
    const t = setup();
    t.set({ instances: { 'items-1': { memoryGrowthMbPerSec: 200, memoryCapMb: 8 } } });
    await sleep(300);
    assert.equal(t.runner.retainedMb, 8, `retained ${t.runner.retainedMb} MB`);
    t.set({});
    assert.equal(t.runner.retainedMb, 0);
    assert.equal(await t.counted('memory'), 1);
    assert.ok(t.logs.some((l) => l.startsWith('fault started: memory')) && t.logs.some((l) => l.startsWith('fault stopped: memory')));
    t.runner.close();
  });

  it('memory let go leaves the process at once, so a second growth shows in resident memory again', async () => {
    const rssMb = (): number => process.memoryUsage().rss / 1048576;
    const t = setup();
    for (const round of [1, 2]) {
      const before = rssMb();
      t.set({ instances: { 'items-1': { memoryGrowthMbPerSec: 640, memoryCapMb: 64 } } });
      await sleep(400);
      const grown = rssMb();
      t.set({});
      // the controller reads resident memory: the growth must show, and leave again when cleared
      assert.ok(grown - before >= 32, `round ${round}: resident memory grew ${(grown - before).toFixed(0)} MB of 64`);
      let after = rssMb();
      for (let i = 0; i < 20 && grown - after < 32; i++) {
        await sleep(100);
        after = rssMb();
      }
      assert.ok(grown - after >= 32, `round ${round}: only ${(grown - after).toFixed(0)} MB of 64 left the process within 2 s of the clear`);
    }
    t.runner.close();
  });

  it('burns CPU on the event loop while set (timers run late) and stops when cleared', async () => {
    const t = setup();
    const lag = async (): Promise<number> => {
      let worst = 0;
      for (let i = 0; i < 10; i++) {
        const t0 = performance.now();
        await sleep(5);
        worst = Math.max(worst, performance.now() - t0 - 5);
      }
      return worst;
    };
    t.set({ cpuBurnRatio: 0.8 });
    assert.equal(t.runner.burning, true);
    const burning = await lag();
    t.set({ cpuBurnRatio: 0 });
    assert.equal(t.runner.burning, false);
    const idle = await lag();
    console.log(`  worst timer lag: ${burning.toFixed(1)} ms burning, ${idle.toFixed(1)} ms after`);
    assert.ok(burning >= 10, `timers were not delayed by the burn (${burning.toFixed(1)} ms)`);
    t.runner.close();
  });

  it('drops the broker connection while brokerDisconnect is set and lets it back when cleared', async () => {
    const t = setup();
    t.set({ instances: { 'items-1': { brokerDisconnect: true } } });
    t.set({ instances: { 'items-1': { brokerDisconnect: true, latencyMs: 5 } } });
    assert.deepEqual([t.broker.drops, t.broker.resumes], [1, 0]);
    t.set({ instances: { 'items-2': { brokerDisconnect: true } } });
    assert.deepEqual([t.broker.drops, t.broker.resumes], [1, 1], 'another instance\'s flag does not concern this one');
    assert.equal(await t.counted('broker_disconnect'), 1);
    t.runner.close();
  });

  it('stops everything on close', () => {
    const t = setup();
    t.set({ memoryGrowthMbPerSec: 1, cpuBurnRatio: 0.1, brokerDisconnect: true });
    t.runner.close();
    assert.equal(t.runner.burning, false);
    assert.equal(t.broker.resumes, 1);
  });
});
