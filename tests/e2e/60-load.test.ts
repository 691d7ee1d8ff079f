/**
 * `brewops load` against the live stack, through the real CLI: progress lines while it runs,
 * a summary, result.json whose numbers add up, report.html; a breached threshold exits 1, bad
 * input exits 2. Then headless Chromium (installed from apt by @brewops/cli if missing) opens
 * the report: the charts must have rendered, and a screenshot is saved as a CI artifact.
 * Runs are short and light (≤ 6 s, ~40 requests/s: under the dev key's 50/s rate limit).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureChromium, type LoadResult } from '@brewops/cli';
import { brewops, root } from '../support/stack.js';

const ARTIFACTS = join(root, '.brewops', 'artifacts');
const OUT = join(ARTIFACTS, 'load-e2e');
const PROGRESS = /^\[load\]\s+\d+ s\s+\d+ req\/s\s+p95\s+\S+( ms)?\s+errors \d+ \(\d+\.\d+%\)/;

function readResult(dir: string): LoadResult {
  return JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as LoadResult;
}

test('brewops load: progress, summary, a result that adds up, the HTML report; chaos events from a file', { timeout: 120_000 }, () => {
  rmSync(OUT, { recursive: true, force: true });
  const events = join(mkdtempSync(join(tmpdir(), 'brewops-load-e2e-')), 'events.jsonl');
  // what `brewops chaos` would append while the run goes: a fault 2 s into the run
  const markedAt = new Date(Date.now() + 3_000).toISOString();
  writeFileSync(events, `${JSON.stringify({ label: 'e2e marker: fault injected', kind: 'start', target: 'order-1', at: markedAt })}\n`);
  const r = brewops('load', '--rate', '20/s', '--ramp-up', '1s', '--duration', '6s', '--think-time', '50ms',
    '--threshold', 'errors<50%', '--events', events, '--out', OUT);
  process.stdout.write(r.stderr.split('\n').map((l) => `  ${l}`).join('\n'));
  process.stdout.write(r.stdout.split('\n').map((l) => `  ${l}`).join('\n'));
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr.slice(-500)}`);

  const progress = r.stderr.split('\n').filter((l) => PROGRESS.test(l));
  assert.ok(progress.length >= 4, `one progress line a second, got ${progress.length}:\n${r.stderr}`);
  assert.match(r.stdout, /^total\s+\d+\s+\d+/m, 'the summary table has a total row');
  assert.match(r.stdout, /PASS\s+errors<50%/);
  assert.match(r.stdout, /report: .*report\.html/);

  const res = readResult(OUT);
  const t = res.totals;
  assert.ok(t.requests > 20, `requests: ${t.requests}`);
  assert.equal(t.ok + t.errors, t.requests);
  assert.equal(res.timeline.reduce((s, p) => s + p.requests, 0), t.requests, 'the per-second timeline adds up to the total');
  assert.equal(res.timeline.reduce((s, p) => s + p.errors, 0), t.errors);
  assert.equal(Object.values(t.errorsByType).reduce((s, n) => s + n, 0), t.errors, 'every error has a type');
  assert.ok(t.latencyMs && t.latencyMs.p50 <= t.latencyMs.p95 && t.latencyMs.p95 <= t.latencyMs.p99);
  assert.ok(t.throughput > 0);
  const steps = new Map<string, LoadResult['journeys'][number]['steps'][number]>(res.journeys.flatMap((j) => j.steps.map((s) => [`${j.journey}/${s.step}`, s] as const)));
  for (const key of ['browse/menu', 'order/place-order', 'member/member']) {
    const s = steps.get(key);
    assert.ok(s && s.requests > s.errors, `${key}: requests answered as expected (${JSON.stringify(s)})`);
  }
  const placed = [...steps.entries()].filter(([k]) => k.endsWith('/place-order')).reduce((n, [, s]) => n + s.requests - s.errors, 0);
  assert.ok(placed > 0, 'orders were placed');
  assert.equal(res.events.length, 1);
  assert.equal(res.events[0]!.label, 'e2e marker: fault injected');
  const ev = res.events[0]!;
  assert.deepEqual([ev.at, ev.kind, ev.target, ev.source], [markedAt, 'start', 'order-1', 'file']);
  assert.ok(Math.abs(ev.t - (Date.parse(markedAt) - Date.parse(res.startedAt)) / 1000) < 0.02, `the event sits on the timeline at its second (${ev.t} s)`);
  assert.deepEqual(res.thresholds.map((x) => [x.threshold, x.passed]), [['errors<50%', true]]);
  console.log(`  achieved ${t.throughput} req/s, p95 ${t.latencyMs?.p95} ms, p99 ${t.latencyMs?.p99} ms, errors ${t.errors}/${t.requests} ${JSON.stringify(t.errorsByType)}`);

  const html = readFileSync(join(OUT, 'report.html'), 'utf8');
  assert.match(html, /<figure class="chart" id="chart-throughput"/);
  assert.ok(html.includes('e2e marker: fault injected'));
  assert.doesNotMatch(html, /\s(src|href)=/, 'self-contained');
});

test('brewops load: an impossible threshold exits 1, bad input exits 2 with what to fix', { timeout: 60_000 }, () => {
  const out = join(OUT, 'breach');
  const r = brewops('load', '--rate', '10/s', '--duration', '2s', '--journeys', 'browse=1,member=1', '--threshold', 'p95<0.001ms', '--out', out);
  assert.equal(r.code, 1, `a breached threshold exits 1: ${r.stderr.slice(-300)}`);
  assert.match(r.stdout, /FAIL\s+p95<0\.001ms\s+observed \d/);
  const res = readResult(out);
  assert.equal(res.passed, false);
  assert.ok(res.totals.requests > 0);

  for (const [args, message] of [
    [['--journeys', 'browse=1,teleport=2'], /^brewops: load: --journeys: unknown journey "teleport" \(known: browse, order, status, sse, member\)/],
    [['--duration', '-5s'], /^brewops: load: --duration needs a positive duration with a unit, such as 30s or 500ms \(got "-5s"\)/],
    [['--threshold', 'p95>300ms'], /^brewops: load: malformed threshold "p95>300ms"/],
    [['--rate', 'lots'], /^brewops: load: --rate needs a rate/],
  ] as const) {
    const bad = brewops('load', ...args);
    assert.equal(bad.code, 2, `${args.join(' ')} exits 2`);
    assert.match(bad.stderr, message);
  }
});

test('brewops load --script loadtest/smoke.ts: a TypeScript scenario runs from a fresh clone', { timeout: 60_000 }, () => {
  const out = join(OUT, 'smoke');
  const r = brewops('load', '--script', 'loadtest/smoke.ts', '--duration', '3s', '--out', out);
  assert.ok(r.code === 0 || r.code === 1, `the scenario ran (exit ${r.code}): ${r.stderr.slice(-400)}`);
  const res = readResult(out);
  assert.equal(res.scenario, 'smoke');
  assert.equal(res.config.ratePerSecond, 10, 'the rate comes from the script');
  assert.equal(res.config.durationMs, 3000, 'the flag wins over the script');
  assert.deepEqual(res.config.thresholds, ['p95<500ms', 'p99<1s', 'errors<1%']);
  assert.ok(res.totals.requests > 0);
  console.log(`  smoke: exit ${r.code}, ${res.totals.requests} requests, p95 ${res.totals.latencyMs?.p95} ms, errors ${res.totals.errors}`);
});

test('the HTML report renders its charts in headless Chromium (screenshot saved)', { timeout: 600_000 }, async () => {
  const report = join(OUT, 'report.html');
  assert.ok(existsSync(report), 'the first test wrote the report');
  const chromium = await ensureChromium(); // installs the Debian package if missing; throws (fails the test) if it cannot
  console.log(`  chromium: ${chromium.outcome} (${chromium.binary}) in ${(chromium.ms / 1000).toFixed(1)} s`);
  const profile = mkdtempSync(join(tmpdir(), 'brewops-chromium-'));
  const base = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', `--user-data-dir=${profile}`, '--virtual-time-budget=3000'];
  try {
    const dom = spawnSync(chromium.binary, [...base, '--dump-dom', pathToFileURL(report).href], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(dom.status, 0, `chromium --dump-dom failed: ${dom.stderr.slice(-500)}`);
    const html = dom.stdout;
    assert.match(html, /<body[^>]*data-charts-rendered="3"/, 'the inline script drew all three charts');
    for (const id of ['chart-throughput', 'chart-latency', 'chart-errors']) {
      const fig = new RegExp(`<figure[^>]*id="${id}"[^>]*>`).exec(html)?.[0] ?? '';
      assert.match(fig, /data-rendered="true"/, `${id} rendered`);
      assert.match(fig, /data-events="1"/, `${id} marks the chaos event`);
      if (id !== 'chart-errors') assert.match(fig, /data-points="[1-9]\d*"/, `${id} has data points`);
    }
    assert.match(html, /<g class="chaos-event" data-label="e2e marker: fault injected">/);
    assert.match(html, /<path [^>]*class="series" data-series="p95"/);

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'load-report.png');
    rmSync(shot, { force: true });
    const s = spawnSync(chromium.binary, [...base, `--screenshot=${shot}`, '--window-size=1280,2000', '--hide-scrollbars', pathToFileURL(report).href], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(s.status, 0, `chromium --screenshot failed: ${s.stderr.slice(-500)}`);
    assert.ok(existsSync(shot) && statSync(shot).size > 10_000, 'a screenshot with content');
    console.log(`  screenshot: ${shot} (${statSync(shot).size} bytes)`);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
});
