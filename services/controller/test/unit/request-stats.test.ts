import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judge, parseRequestTotals, parseRssMb, RequestWindow } from '../../src/request-stats.js';

const exposition = (ok: number, failed: number, upstream: number, seconds: number, probes = 50): string => [
  '# HELP http_server_request_duration_seconds Duration of HTTP server requests.',
  '# TYPE http_server_request_duration_seconds histogram',
  `http_server_request_duration_seconds_bucket{method="GET",route="/v1/members/:id",status_code="200",le="0.1"} ${ok}`,
  `http_server_request_duration_seconds_sum{method="GET",route="/v1/members/:id",status_code="200"} ${seconds}`,
  `http_server_request_duration_seconds_count{method="GET",route="/v1/members/:id",status_code="200"} ${ok}`,
  `http_server_request_duration_seconds_sum{method="GET",route="/v1/members/:id",status_code="500"} 0`,
  `http_server_request_duration_seconds_count{method="GET",route="/v1/members/:id",status_code="500"} ${failed}`,
  `http_server_request_duration_seconds_count{method="GET",route="/v1/members/:id",status_code="503"} ${upstream}`,
  `http_server_request_duration_seconds_count{method="GET",route="/health/ready",status_code="503"} ${probes}`,
  `http_server_request_duration_seconds_sum{method="GET",route="/metrics",status_code="200"} 999`,
  `http_server_request_duration_seconds_count{method="GET",route="/metrics",status_code="200"} ${probes}`,
  'brewops_config_revision 7',
].join('\n');

test('totals count user routes only; 500 is the instance failing, 503 an upstream passed on', () => {
  assert.deepEqual(parseRequestTotals(exposition(90, 10, 5, 4.5)), { requests: 105, errors: 10, seconds: 4.5 });
  assert.deepEqual(parseRequestTotals('garbage\nhttp_server_request_duration_seconds_count{route="/x",status_code="500"} NaN'), { requests: 0, errors: 0, seconds: 0 });
});

test('the window gives error ratio and mean latency between its oldest and newest sample', () => {
  const w = new RequestWindow(() => 3000);
  w.push(parseRequestTotals(exposition(100, 0, 0, 1)), 0);
  assert.equal(w.stats(), undefined, 'one sample says nothing');
  w.push(parseRequestTotals(exposition(110, 10, 0, 1.5)), 1000);
  assert.deepEqual(w.stats(), { requests: 20, errorRatio: 0.5, meanLatencyMs: 25 });
  // samples older than the window drop out (one at or before its start stays)
  w.push(parseRequestTotals(exposition(130, 10, 0, 2.5)), 4500);
  w.push(parseRequestTotals(exposition(150, 10, 0, 3.5)), 5000);
  assert.deepEqual(w.stats(), { requests: 40, errorRatio: 0, meanLatencyMs: 50 });
});

test('counters that go down (a new process) start the window again', () => {
  const w = new RequestWindow(() => 3000);
  w.push(parseRequestTotals(exposition(500, 50, 0, 10)), 0);
  w.push(parseRequestTotals(exposition(5, 0, 0, 0.1)), 1000);
  assert.equal(w.stats(), undefined);
});

test('judge: no verdict below minRequests; errors and slowness against their thresholds', () => {
  const t = { minRequests: 5, maxErrorRatio: 0.5, maxMeanLatencyMs: 1000 };
  assert.equal(judge(undefined, t), undefined);
  assert.equal(judge({ requests: 4, errorRatio: 1, meanLatencyMs: 5000 }, t), undefined);
  assert.deepEqual(judge({ requests: 10, errorRatio: 0.6, meanLatencyMs: 20 }, t), { errors: true, slow: false });
  assert.deepEqual(judge({ requests: 10, errorRatio: 0.5, meanLatencyMs: 1500 }, t), { errors: false, slow: true });
});

test('resident memory from the process collector, in MB', () => {
  assert.equal(parseRssMb('# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 104857600\n'), 100);
  assert.equal(parseRssMb('process_resident_memory_bytes_total 5\n'), undefined);
  assert.equal(parseRssMb(''), undefined);
});
