import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrivalsBy, runClosedModel, runOpenModel, type Clock } from '../../src/load/scheduler.js';

/**
 * Virtual time: sleepers wait in a timer queue; once every pending microtask has run (setImmediate),
 * time jumps to the earliest timer and wakes it. Concurrent sleepers see consistent time.
 */
function fakeClock(): Clock & { t: number } {
  const timers: Array<{ at: number; wake: () => void }> = [];
  let scheduled = false;
  const runNext = (): void => {
    scheduled = false;
    timers.sort((a, b) => a.at - b.at);
    const next = timers.shift();
    if (!next) return;
    c.t = Math.max(c.t, next.at);
    next.wake();
    schedule();
  };
  const schedule = (): void => {
    if (!scheduled && timers.length > 0) {
      scheduled = true;
      setImmediate(runNext);
    }
  };
  const c = {
    t: 0,
    now: () => c.t,
    sleep: (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const onAbort = (): void => {
        const i = timers.indexOf(timer);
        if (i >= 0) timers.splice(i, 1);
        resolve();
      };
      const timer = { at: c.t + ms, wake: () => { signal?.removeEventListener('abort', onAbort); resolve(); } };
      timers.push(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
      schedule();
    }),
  };
  return c;
}

test('arrivals: constant rate, and a linear ramp that integrates to the same slope after it', () => {
  assert.equal(arrivalsBy(1000, 10, 0), 10);
  assert.equal(arrivalsBy(2500, 10, 0), 25);
  assert.equal(arrivalsBy(1000, 10, 2000), 2.5, 'half way up the ramp: a quarter of the full-rate arrivals');
  assert.equal(arrivalsBy(2000, 10, 2000), 10);
  assert.equal(arrivalsBy(3000, 10, 2000), 20);
});

test('open model: starts arrivals on the clock, drops (never delays) those that cannot start', async () => {
  const clock = fakeClock();
  const starts: number[] = [];
  const drops: number[] = [];
  let capacity = true;
  const r = await runOpenModel({
    clock, ratePerSecond: 100, rampUpMs: 0, durationMs: 2000, tickMs: 10, signal: new AbortController().signal,
    canStart: () => capacity,
    start: (at) => { starts.push(at); if (at >= 1000) capacity = false; },
    drop: (at) => drops.push(at),
  });
  assert.equal(r.started + r.dropped, 200, 'every due arrival is either started or dropped');
  assert.equal(r.started, starts.length);
  assert.equal(r.dropped, drops.length);
  assert.ok(drops.length >= 98, `arrivals after capacity ran out are dropped, got ${drops.length}`);
  assert.ok(drops.every((d) => d >= 1000));
  // spacing: in each 10 ms tick one arrival at 100/s
  assert.equal(starts.filter((s) => s <= 500).length, 50);
  assert.equal(clock.t, 2000, 'the schedule ends at the duration');
});

test('open model: ramp-up spreads the first arrivals, an abort ends the schedule early', async () => {
  const clock = fakeClock();
  const ac = new AbortController();
  const starts: number[] = [];
  const r = await runOpenModel({
    clock, ratePerSecond: 20, rampUpMs: 2000, durationMs: 10_000, tickMs: 50, signal: ac.signal,
    canStart: () => true,
    start: (at) => { starts.push(at); if (starts.length === 30) ac.abort(); },
    drop: () => assert.fail('nothing should drop'),
  });
  assert.equal(starts.filter((s) => s <= 1000).length, 5, 'first second of a 2 s ramp to 20/s: 5 arrivals');
  assert.equal(starts.filter((s) => s <= 2000).length, 20);
  assert.equal(r.started, 30);
  assert.ok(clock.t < 10_000, 'stopped before the duration');
});

test('closed model: users start one by one over the ramp and loop until stopped', async () => {
  const clock = fakeClock();
  const ac = new AbortController();
  const firstAt = new Map<number, number>();
  let n = 0;
  await runClosedModel({
    clock, users: 4, rampUpMs: 400, signal: ac.signal,
    iterate: async (user) => {
      if (!firstAt.has(user)) firstAt.set(user, clock.now());
      await clock.sleep(10);
      if (++n >= 200) ac.abort();
    },
  });
  assert.deepEqual([...firstAt.keys()].sort(), [0, 1, 2, 3]);
  assert.equal(firstAt.get(0), 0);
  assert.deepEqual([0, 1, 2, 3].map((u) => firstAt.get(u)), [0, 100, 200, 300], 'user k starts at k × ramp / users');
  assert.ok(n >= 200);
});
