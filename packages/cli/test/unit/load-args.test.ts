import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseCli } from '../../src/cli-args.js';
import { isBrewopsError } from '../../src/errors.js';
import { resolveLoadConfig, type LoadCommand } from '../../src/load/config.js';

const MAIN = join(__dirname, '..', '..', 'src', 'main.js');
const DEFAULTS = { target: 'http://127.0.0.1:8080', apiKeyFile: '/x/dev-api-key', scenario: 'cli' };

function usageMessage(argv: string[]): string {
  try {
    parseCli(argv);
  } catch (err) {
    assert.ok(isBrewopsError(err), `expected a BrewopsError, got ${String(err)}`);
    assert.equal(err.code, 'usage');
    assert.equal(err.exitCode, 2);
    return err.message;
  }
  assert.fail(`expected a usage error for ${argv.join(' ')}`);
}

function load(argv: string[]): LoadCommand {
  const cmd = parseCli(['load', ...argv]);
  assert.equal(cmd.command, 'load');
  return cmd as LoadCommand;
}

test('load: every flag is parsed into the run settings', () => {
  const cmd = load(['--journeys', 'browse=5,order=3,sse=0', '--rate', '600/m', '--ramp-up', '5s', '--duration', '1.5m',
    '--max-requests', '900', '--think-time', '250ms', '--threshold', 'p95<300ms,p99<1s,errors<1%', '--out', 'out/x',
    '--script', 'loadtest/smoke.ts', '--target', 'http://localhost:9999/', '--events', 'ev.jsonl', '--api-key-file', 'k']);
  const s = cmd.settings;
  assert.deepEqual(s.journeys, { browse: 5, order: 3 }, 'a zero weight leaves the journey out');
  assert.equal(s.ratePerSecond, 10);
  assert.equal(s.rampUpMs, 5000);
  assert.equal(s.durationMs, 90_000);
  assert.equal(s.maxRequests, 900);
  assert.equal(s.thinkTimeMs, 250);
  assert.deepEqual(s.thresholds?.map((t) => [t.source, t.limit]), [['p95<300ms', 300], ['p99<1s', 1000], ['errors<1%', 0.01]]);
  assert.equal(s.target, 'http://localhost:9999');
  assert.deepEqual([cmd.outDir, cmd.script, cmd.eventsFile, cmd.apiKeyFile], ['out/x', 'loadtest/smoke.ts', 'ev.jsonl', 'k']);
});

test('load: defaults are small and bounded; flags win over the script, a flag model replaces the script model', () => {
  const none = resolveLoadConfig(load([]), null, DEFAULTS);
  assert.equal(none.model, 'rate');
  assert.equal(none.ratePerSecond, 20);
  assert.equal(none.durationMs, 20_000);
  assert.equal(none.maxRequests, 20_000);
  assert.deepEqual(none.journeys, { browse: 5, order: 3, status: 2, sse: 1, member: 1 });
  assert.deepEqual(none.thresholds.map((t) => t.source), ['errors<1%']);
  assert.equal(none.apiKeyFile, '/x/dev-api-key');

  const script = { ratePerSecond: 50, durationMs: 60_000, name: 'rush' };
  const merged = resolveLoadConfig(load(['--concurrency', '4', '--duration', '3s']), script, DEFAULTS);
  assert.equal(merged.model, 'concurrency');
  assert.equal(merged.concurrency, 4);
  assert.equal(merged.ratePerSecond, null, 'the script rate does not mix with --concurrency');
  assert.equal(merged.durationMs, 3000);
  assert.equal(merged.scenario, 'rush');
});

test('load: bad input exits 2 with a message that says what to fix', () => {
  assert.match(usageMessage(['load', '--journeys', 'browse=5,coffee=1']), /unknown journey "coffee" .*known: browse, order, status, sse, member/);
  assert.match(usageMessage(['load', '--journeys', 'browse=-1']), /weight of "browse" must be a number ≥ 0/);
  assert.match(usageMessage(['load', '--journeys', 'browse=0']), /at least one journey a weight above 0/);
  assert.match(usageMessage(['load', '--duration', '-5s']), /--duration needs a positive duration with a unit, such as 30s or 500ms \(got "-5s"\)/);
  assert.match(usageMessage(['load', '--duration', '0']), /--duration needs a positive duration/);
  assert.match(usageMessage(['load', '--duration', '30']), /--duration needs a positive duration with a unit/);
  assert.match(usageMessage(['load', '--rate', 'fast']), /--rate needs a rate .* such as 50\/s or 600\/m \(got "fast"\)/);
  assert.match(usageMessage(['load', '--rate', '0']), /--rate needs a rate/);
  assert.match(usageMessage(['load', '--rate', '5', '--concurrency', '2']), /--rate .* or --concurrency .*, not both/);
  assert.match(usageMessage(['load', '--concurrency', '1.5']), /--concurrency needs a whole number from 1 to 1000/);
  assert.match(usageMessage(['load', '--max-requests', '0']), /--max-requests needs a whole number from 1 to 1000000/);
  assert.match(usageMessage(['load', '--threshold', 'p95>300ms']), /malformed threshold "p95>300ms" \(use e\.g\. p95<300ms/);
  assert.match(usageMessage(['load', '--threshold', 'p95<300']), /needs a time unit, ms or s/);
  assert.match(usageMessage(['load', '--threshold', 'errors<5ms']), /errors is a ratio, write it as a percentage/);
  assert.match(usageMessage(['load', '--target', 'ftp://x']), /--target needs an http\(s\) URL|origin only/);
  assert.match(usageMessage(['load', '--bogus']), /--bogus/);
  assert.match(usageMessage(['load', 'now']), /unexpected argument "now"/);
});

test('load: the real CLI exits 2 on bad input, with one line naming the flag', () => {
  const r = spawnSync(process.execPath, [MAIN, 'load', '--journeys', 'browse=1,teleport=2'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr.split('\n')[0]!, /^brewops: load: --journeys: unknown journey "teleport"/);
  const d = spawnSync(process.execPath, [MAIN, 'load', '--duration', '-1s'], { encoding: 'utf8' });
  assert.equal(d.status, 2);
  assert.match(d.stderr.split('\n')[0]!, /^brewops: load: --duration needs a positive duration/);
});
