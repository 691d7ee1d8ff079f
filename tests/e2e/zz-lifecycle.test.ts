/**
 * Runs last: `brewops down` leaves no process behind; a second `up` with cached downloads
 * reaches all-ready quickly (the time is printed, not asserted: machines are noisy).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readState } from '@brewops/cli';
import { brewops, root } from '../support/stack.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function brewopsProcesses(): string[] {
  try {
    return execFileSync('pgrep', ['-af', `${root}/(\\.brewops|services|collector|packages/cli/dist/src/supervisor)`], { encoding: 'utf8' })
      .split('\n')
      // Not the test runner itself, whose arguments name test files under services/ and collector/.
      .filter((l) => l.trim() && !l.includes('pgrep') && !l.includes(' --test ') && !l.startsWith(`${process.pid} `));
  } catch {
    return [];
  }
}

test('down stops everything it started and only that; a second up is fast', async () => {
  const state = readState();
  const pids = Object.values(state.backends).filter((b) => b.owned && b.pid).map((b) => b.pid!);
  if (state.supervisor) pids.push(state.supervisor.pid);
  const rabbit = state.backends['rabbitmq'];

  const down = brewops('down');
  assert.equal(down.code, 0, down.stderr);
  assert.deepEqual(pids.filter(alive), [], 'processes still alive after down');
  assert.deepEqual(brewopsProcesses(), [], 'brewops processes still running after down');
  if (rabbit && !rabbit.owned) {
    const res = await fetch('http://127.0.0.1:15672').catch(() => undefined);
    assert.ok(res, 'down stopped the RabbitMQ it did not start');
  }

  const t0 = performance.now();
  const up = brewops('up');
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(up.code, 0, `second up failed:\n${up.stderr.slice(-3000)}`);
  console.log(`  second up (cached downloads) reached all-ready in ${seconds.toFixed(1)} s (goal < 60 s)`);
  const status = brewops('status');
  assert.equal(status.code, 0, status.stdout);
});
