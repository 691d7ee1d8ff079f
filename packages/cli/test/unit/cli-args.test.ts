import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseCli } from '../../src/cli-args.js';
import { isBrewopsError } from '../../src/errors.js';

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

test('parses every command with its options', () => {
  assert.deepEqual(parseCli(['status', '--json']), { command: 'status', json: true });
  assert.deepEqual(parseCli(['down']), { command: 'down' });
  assert.deepEqual(parseCli(['logs', 'etcd', '-f', '-n', '5']), { command: 'logs', name: 'etcd', follow: true, lines: 5 });
  assert.deepEqual(parseCli(['logs']), { command: 'logs', name: null, follow: false, lines: 100 });
  const up = parseCli(['up', '--replicas', 'member=3,order=2']);
  assert.equal(up.command, 'up');
  if (up.command === 'up') {
    assert.equal(up.replicas.member, 3);
    assert.equal(up.replicas.order, 2);
    assert.equal(up.replicas.gateway, 1, 'unnamed services keep their default');
    assert.deepEqual(up.replicasGiven, ['member', 'order']);
  }
  assert.deepEqual(parseCli([]), { command: 'help' });
});

test('bad input names what to fix', () => {
  assert.match(usageMessage(() => parseCli(['frob'])), /unknown command "frob"/);
  assert.match(usageMessage(() => parseCli(['status', '--bogus'])), /--bogus/);
  assert.match(usageMessage(() => parseCli(['down', 'now'])), /unexpected argument "now"/);
  assert.match(usageMessage(() => parseCli(['logs', '-n', 'ten'])), /-n needs a positive number/);
  assert.match(usageMessage(() => parseCli(['up', '--replicas'])), /--replicas/);
});

test('the CLI exits 2 with a one-line reason and the usage, never a stack trace', () => {
  for (const args of [['frob'], ['up', '--replicas', 'nosuch=1'], ['status', '--bogus'], ['logs', 'a', 'b']]) {
    const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    const [first] = r.stderr.split('\n');
    assert.match(first!, /^brewops: /, `first line: ${first}`);
    assert.match(r.stderr, /usage: brewops <command>/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'stack trace leaked');
  }
});

test('help exits 0 and lists the commands on stdout', () => {
  const r = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0);
  for (const c of ['up', 'down', 'status', 'logs']) assert.match(r.stdout, new RegExp(`\\n  ${c} `));
});
