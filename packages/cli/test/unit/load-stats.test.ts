import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Recorder } from '../../src/load/recorder.js';
import { percentile, summarize } from '../../src/load/stats.js';

test('percentiles: nearest rank on exact samples', () => {
  const s = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(s, 50), 50);
  assert.equal(percentile(s, 95), 95);
  assert.equal(percentile(s, 99), 99);
  assert.equal(percentile(s, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([], 50), null);
  const sum = summarize([5, 1, 3, 2, 4]);
  assert.deepEqual(sum, { count: 5, min: 1, mean: 3, p50: 3, p90: 5, p95: 5, p99: 5, max: 5 });
});

test('recorder: per-second windows, per-step stats and error types add up', () => {
  const rec = new Recorder();
  const ok = { ok: true } as const;
  for (let i = 0; i < 100; i++) {
    rec.request({ journey: 'browse', step: 'menu', startedAt: i * 10, latencyMs: i + 1, endedAt: i * 10 + 5, outcome: ok });
  }
  rec.request({ journey: 'order', step: 'place-order', startedAt: 1500, latencyMs: 40, endedAt: 1540, outcome: { ok: false, error: 'status_503' } });
  rec.request({ journey: 'order', step: 'place-order', startedAt: 1600, latencyMs: null, endedAt: 6600, outcome: { ok: false, error: 'timeout' } });
  rec.request({ journey: 'member', step: 'member', startedAt: 2100, latencyMs: null, endedAt: 2101, outcome: { ok: false, error: 'connection' } });
  rec.arrivalDropped(2500);
  assert.equal(rec.requests, 103);
  assert.equal(rec.errors, 3);
  assert.deepEqual(rec.errorsByType, { status_503: 1, timeout: 1, connection: 1 });
  assert.equal(rec.latency(50), 50, 'requests without a response add no latency');
  const tl = rec.timeline(3);
  assert.equal(tl.length, 7, 'the timeline reaches the last finished request (second 6)');
  assert.equal(tl[0]!.requests, 100);
  assert.deepEqual(tl[0]!.latencyMs, { p50: 50, p95: 95, p99: 99 });
  assert.deepEqual([tl[1]!.errors, tl[1]!.errorsByType], [1, { status_503: 1 }]);
  assert.deepEqual([tl[2]!.errorsByType, tl[2]!.dropped, tl[2]!.latencyMs], [{ connection: 1 }, 1, null]);
  assert.equal(tl[6]!.errorsByType['timeout'], 1);
  assert.equal(tl.reduce((s, p) => s + p.requests, 0), rec.requests);
  const order = rec.journeyReports().find((j) => j.journey === 'order');
  assert.equal(order, undefined, 'journeys appear once started');
  rec.journeyStarted('order', 1500);
  rec.journeyEnded('order', true);
  const o = rec.journeyReports().find((j) => j.journey === 'order')!;
  assert.deepEqual([o.started, o.failed, o.steps[0]!.step, o.steps[0]!.errors], [1, 1, 'place-order', 2]);
});
