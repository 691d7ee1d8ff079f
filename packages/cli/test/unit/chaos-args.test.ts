import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseChaosArgs } from '../../src/chaos/args.js';
import { parseDuration } from '../../src/chaos/duration.js';
import { resolveTarget } from '../../src/chaos/target.js';
import { findScenario } from '../../src/chaos/catalog.js';
import { isBrewopsError } from '../../src/errors.js';
import type { InstanceView } from '../../src/supervisor/types.js';

const MAIN = join(__dirname, '..', '..', 'src', 'main.js');

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isBrewopsError(err), `expected a BrewopsError, got ${String(err)}`);
    assert.equal(err.code, 'usage');
    assert.equal(err.exitCode, 2);
    return err.message;
  }
  assert.fail('expected a usage error');
}

test('chaos <scenario> with target, duration, dry-run and events', () => {
  assert.deepEqual(parseChaosArgs(['error-storm', '--target', 'member-2', '--duration', '1.5s', '--dry-run', '--events', 'e.jsonl']), {
    command: 'chaos', action: 'run', scenario: 'error-storm', target: 'member-2', durationMs: 1500, dryRun: true, eventsFile: 'e.jsonl',
  });
  assert.deepEqual(parseChaosArgs(['etcd-down']), { command: 'chaos', action: 'run', scenario: 'etcd-down', target: null, durationMs: null, dryRun: false, eventsFile: null });
  assert.deepEqual(parseChaosArgs(['verify', '--only', 'error-storm, etcd-down', '--json']), { command: 'chaos', action: 'verify', only: ['error-storm', 'etcd-down'], json: true, eventsFile: null });
  assert.deepEqual(parseChaosArgs(['list']), { command: 'chaos', action: 'list', markdown: false });
});

test('durations: units required, positive, at most 1 h', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('10s'), 10_000);
  assert.equal(parseDuration('2m'), 120_000);
  assert.match(usageMessage(() => parseDuration('10')), /not a duration: write a number with a unit, e\.g\. 500ms, 10s or 2m/);
  assert.match(usageMessage(() => parseDuration('ten seconds')), /not a duration/);
  assert.match(usageMessage(() => parseDuration('0s')), /must be positive/);
  assert.match(usageMessage(() => parseDuration('2h')), /not a duration/);
  assert.match(usageMessage(() => parseDuration('61m')), /longer than 1 hour/);
});

test('bad chaos input is a one-line usage error naming what to fix', () => {
  assert.match(usageMessage(() => parseChaosArgs(['nope'])), /unknown scenario "nope" \(scenarios: instance-crash, .*etcd-down/);
  assert.match(usageMessage(() => parseChaosArgs([])), /name a scenario/);
  assert.match(usageMessage(() => parseChaosArgs(['error-storm', '--duration', '-5s'])), /--duration must be positive, got "-5s"/);
  assert.match(usageMessage(() => parseChaosArgs(['error-storm', '--duration', 'soon'])), /"soon" is not a duration/);
  assert.match(usageMessage(() => parseChaosArgs(['error-storm', '--target', 'Member 1'])), /not a service or instance name/);
  assert.match(usageMessage(() => parseChaosArgs(['error-storm', '--bogus'])), /Unknown option '--bogus'/);
  assert.match(usageMessage(() => parseChaosArgs(['verify', '--only', 'error-storm,typo'])), /unknown scenario "typo" in --only/);
});

const inst = (id: string, service: string, pid: number | null = 100, state: InstanceView['state'] = 'ready'): InstanceView =>
  ({ id, service, pid, state, port: 1, url: null, startedAt: null, restarts: 0, exit: null, detail: '', log: '' });

test('targets: an instance id, a service (all instances for flags, one running instance for signals), a backend', () => {
  const list = [inst('member-1', 'member', null, 'exited'), inst('member-2', 'member'), inst('order-1', 'order')];
  assert.deepEqual(resolveTarget(findScenario('error-storm')!, 'order-1', list), { kind: 'instance', service: 'order', instanceId: 'order-1' });
  assert.deepEqual(resolveTarget(findScenario('error-storm')!, 'member', list), { kind: 'service', service: 'member', instanceIds: ['member-1', 'member-2'] });
  assert.deepEqual(resolveTarget(findScenario('instance-crash')!, 'member', list), { kind: 'instance', service: 'member', instanceId: 'member-2' });
  assert.deepEqual(resolveTarget(findScenario('etcd-down')!, null, list), { kind: 'backend', backend: 'etcd' });
  assert.match(usageMessage(() => resolveTarget(findScenario('error-storm')!, 'payment-9', list)), /unknown target "payment-9": name a service \(member, order\) or an instance \(member-1, member-2, order-1\)/);
  assert.match(usageMessage(() => resolveTarget(findScenario('zipkin-down')!, 'member-1', list)), /--target must be "zipkin"/);
});

test('brewops chaos with bad input exits 2 with the message on stderr', () => {
  for (const args of [['chaos', 'nope'], ['chaos', 'cpu-burn', '--duration', '-1s'], ['chaos', 'cpu-burn', '--duration', '0s']]) {
    const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.split('\n')[0]!, /^brewops: chaos/);
  }
});
