import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateThresholds, parseThresholds } from '../../src/load/thresholds.js';

test('thresholds: percentiles in ms or s, ratios in % or as a fraction, < and <=', () => {
  const t = parseThresholds('p95<300ms, p99.9<=1.5s,errors<1%,dropped<=0.05');
  assert.deepEqual(t.map((x) => [x.metric, x.op, x.limit]), [
    [{ kind: 'latency', percentile: 95 }, '<', 300],
    [{ kind: 'latency', percentile: 99.9 }, '<=', 1500],
    [{ kind: 'errors' }, '<', 0.01],
    [{ kind: 'dropped' }, '<=', 0.05],
  ]);
  assert.equal(parseThresholds(['p50<1ms', 'errors<2%']).length, 2);
});

test('thresholds: each is judged against the run; no latency data fails a latency threshold', () => {
  const lat: Record<number, number> = { 95: 250, 99: 900 };
  const results = evaluateThresholds(parseThresholds('p95<300ms,p99<800ms,errors<1%,errors<=0.5%,dropped<1%'), {
    latency: (p) => lat[p] ?? null,
    errorRatio: 0.005,
    droppedRatio: 0,
  });
  assert.deepEqual(results.map((r) => [r.threshold, r.observed, r.passed]), [
    ['p95<300ms', 250, true],
    ['p99<800ms', 900, false],
    ['errors<1%', 0.005, true],
    ['errors<=0.5%', 0.005, true],
    ['dropped<1%', 0, true],
  ]);
  const empty = evaluateThresholds(parseThresholds('p95<0.001ms'), { latency: () => null, errorRatio: 0, droppedRatio: 0 });
  assert.equal(empty[0]!.passed, false);
  const impossible = evaluateThresholds(parseThresholds('p95<0.001ms'), { latency: () => 0.2, errorRatio: 0, droppedRatio: 0 });
  assert.equal(impossible[0]!.passed, false);
});

test('thresholds: malformed ones are refused', () => {
  for (const bad of ['p95', 'p95<', 'p100<1ms', 'latency<3ms', 'errors<150%', 'p95<1h', '']) {
    assert.throws(() => parseThresholds(bad), (e: Error & { exitCode?: number }) => e.exitCode === 2, bad);
  }
});
