/**
 * The runner end to end against a small local HTTP server (port 0) that answers the gateway's
 * routes: result.json's shape and sums, bounds, chaos events, and the HTML report's content.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCli } from '../../src/cli-args.js';
import { resolveLoadConfig, type LoadCommand, type LoadConfig } from '../../src/load/config.js';
import { summaryText } from '../../src/load/console.js';
import { renderReport, scriptJson } from '../../src/load/report-html.js';
import { startLoad } from '../../src/load/runner.js';
import { loadScenarioScript } from '../../src/load/script.js';
import { scenarioSettings } from '../../src/load/config.js';

let server: Server;
let origin: string;
let orders = 0;
const dir = mkdtempSync(join(tmpdir(), 'brewops-load-'));

before(async () => {
  server = createServer((req, res) => {
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const url = req.url ?? '';
    if (url === '/api/order/v1/menu') return json(200, { items: [{ sku: 'espresso' }, { sku: 'filter' }] });
    if (req.headers['x-api-key'] !== 'k') return json(401, { error: { code: 'unauthorized' } });
    if (!/^load-[0-9a-f]{8}-\d+$/.test(String(req.headers['x-correlation-id']))) return json(400, { error: { code: 'no_correlation_id' } });
    if (req.method === 'POST' && url === '/api/order/v1/orders') {
      if (!req.headers['idempotency-key']) return json(400, { error: { code: 'no_key' } });
      req.resume();
      // every fifth order fails: the run must count it as status_503
      return req.on('end', () => (++orders % 5 === 0 ? json(503, { error: { code: 'unavailable' } }) : json(201, { orderId: `o-${orders}` })));
    }
    if (/\/status\/stream$/.test(url)) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': open\n\n');
      setTimeout(() => res.write('event: status\ndata: {"status":"placed"}\n\n'), 5);
      setTimeout(() => res.end('event: status\ndata: {"status":"completed"}\n\n'), 30);
      return;
    }
    if (/\/api\/status\/v1\/orders\/[^/]+\/status$/.test(url)) return json(200, { status: 'completed' });
    if (/\/api\/member\/v1\/members\//.test(url)) return json(200, { id: 'm-100' });
    return json(404, { error: { code: 'not_found' } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

function config(args: string[], target = origin): LoadConfig {
  const cmd = parseCli(['load', ...args]) as LoadCommand;
  return resolveLoadConfig(cmd, null, { target, apiKeyFile: null, scenario: 'unit' });
}

test('a run against the routes: sums agree, errors typed, chaos events from the API and the file', async () => {
  const events = join(dir, 'events.jsonl');
  writeFileSync(events, '');
  const cfg = config(['--rate', '60/s', '--duration', '1500ms', '--think-time', '0', '--events', events,
    '--threshold', 'p95<10s,errors<50%', '--target', origin]);
  const run = startLoad({ config: cfg, apiKey: 'k' });
  setTimeout(() => {
    run.markEvent('kill order-1 </script><b>', { kind: 'start', target: 'order-1' });
    appendFileSync(events, `${JSON.stringify({ label: 'rabbitmq stopped', kind: 'point' })}\nnot json\n`);
  }, 400);
  const r = await run.done;

  assert.equal(r.schema, 'brewops.load.result/v1');
  assert.equal(r.stoppedBy, 'duration');
  assert.ok(r.totals.requests > 40, `requests: ${r.totals.requests}`);
  assert.equal(r.totals.ok + r.totals.errors, r.totals.requests);
  assert.equal(r.timeline.reduce((s, p) => s + p.requests, 0), r.totals.requests, 'the timeline adds up to the total');
  assert.equal(Object.values(r.totals.errorsByType).reduce((s, n) => s + n, 0), r.totals.errors);
  assert.ok((r.totals.errorsByType['status_503'] ?? 0) > 0, `the failing orders are counted: ${JSON.stringify(r.totals.errorsByType)}`);
  assert.equal(Object.keys(r.totals.errorsByType).length, 1, 'no other error: auth, correlation ID and idempotency key were sent');
  assert.deepEqual(r.journeys.map((j) => j.journey).sort(), ['browse', 'member', 'order', 'sse', 'status']);
  const sse = r.journeys.find((j) => j.journey === 'sse')!.steps.find((s) => s.step === 'follow-stream');
  assert.ok(sse?.streamMs && sse.streamMs.p50 >= 25, 'the stream is followed until the terminal status');
  assert.ok(r.totals.latencyMs && r.totals.latencyMs.p50 <= r.totals.latencyMs.p95 && r.totals.latencyMs.p95 <= r.totals.latencyMs.p99);
  assert.deepEqual(r.thresholds.map((t) => [t.threshold, t.passed]), [['p95<10s', true], ['errors<50%', true]]);
  assert.equal(r.passed, true);
  assert.deepEqual(r.events.map((e) => [e.label, e.kind, e.source]), [
    ['kill order-1 </script><b>', 'start', 'api'],
    ['rabbitmq stopped', 'point', 'file'],
  ]);
  assert.ok(r.events.every((e) => e.t > 0 && e.t < 2));
  assert.equal(JSON.stringify(r).includes('"k"'), false, 'the API key is not in the result');

  const html = renderReport(r);
  assert.ok(html.includes(scriptJson(r)), 'the whole result is embedded');
  assert.equal(html.includes('</script><b>'), false, 'labels cannot close the script or inject markup');
  assert.match(html, /kill order-1 &lt;\/script&gt;&lt;b&gt;/);
  for (const id of ['chart-throughput', 'chart-latency', 'chart-errors']) assert.match(html, new RegExp(`<figure class="chart" id="${id}"`));
  assert.doesNotMatch(html, /\s(src|href)=|@import|url\(|fetch\(|XMLHttpRequest/, 'self-contained: nothing loaded from a network');
  assert.match(html, /status_503/);

  const text = summaryText(r, { result: 'r.json', report: 'r.html' });
  assert.match(text, /^total\s+\d+\s+\d+/m);
  assert.match(text, /PASS\s+p95<10s/);
});

test('bounds: the request budget stops the run; a dead target gives connection errors and a breach', async () => {
  const capped = await startLoad({ config: config(['--rate', '200/s', '--duration', '10s', '--max-requests', '25', '--think-time', '0']), apiKey: 'k' }).done;
  assert.equal(capped.stoppedBy, 'max-requests');
  assert.ok(capped.totals.requests <= 25, `requests: ${capped.totals.requests}`);
  assert.ok(capped.elapsedSec < 10);

  const closed = new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
  const dead = `http://127.0.0.1:${await closed}`;
  const r = await startLoad({ config: config(['--journeys', 'member=1', '--concurrency', '2', '--duration', '300ms', '--think-time', '10ms'], dead), apiKey: 'k' }).done;
  assert.ok(r.totals.requests > 0);
  assert.deepEqual(Object.keys(r.totals.errorsByType), ['connection']);
  assert.equal(r.totals.latencyMs, null);
  assert.equal(r.passed, false, 'errors<1% (the default) is breached');
});

test('open model: arrivals beyond --max-in-flight are dropped and reported', async () => {
  const r = await startLoad({ config: config(['--journeys', 'sse=1', '--rate', '200/s', '--max-in-flight', '2', '--duration', '500ms', '--think-time', '100ms', '--threshold', 'dropped<1%']), apiKey: 'k' }).done;
  assert.ok(r.totals.dropped > 0, 'some arrivals found no room');
  assert.equal(r.totals.journeysStarted + r.totals.dropped, r.timeline.reduce((s, p) => s + p.started + p.dropped, 0));
  assert.equal(r.passed, false);
});

test('scenario scripts: loadtest/*.ts load through tsx and are checked like flags', () => {
  const root = join(__dirname, '..', '..', '..', '..', '..');
  const { scenario, name } = loadScenarioScript('loadtest/smoke.ts', root);
  assert.equal(name, 'smoke');
  const s = scenarioSettings(scenario, 'loadtest/smoke.ts');
  assert.equal(s.ratePerSecond, 10);
  assert.equal(s.durationMs, 5000);
  assert.deepEqual(s.thresholds?.map((t) => t.source), ['p95<500ms', 'p99<1s', 'errors<1%']);
  const bad = join(dir, 'bad.ts');
  writeFileSync(bad, 'export default { rate: "lots", journeys: { browse: 1 } };\n');
  assert.throws(() => scenarioSettings(loadScenarioScript(bad).scenario, 'bad.ts'), /scenario bad\.ts: rate needs a rate/);
  const none = join(dir, 'none.ts');
  writeFileSync(none, 'export const x: number = 1;\n');
  assert.throws(() => loadScenarioScript(none), /exports no scenario: write `export default defineScenario/);
  assert.throws(() => loadScenarioScript(join(dir, 'missing.ts')), /no such file/);
});
