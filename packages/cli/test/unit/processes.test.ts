import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tailLines } from '../../src/logtail.js';
import { isAlive, isOurs, terminateGroup } from '../../src/process/pids.js';
import { spawnDetached } from '../../src/process/spawn.js';

const dir = mkdtempSync(join(tmpdir(), 'brewops-proc-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a detached process logs to its file and stops with its whole group on SIGTERM', async () => {
  const log = join(dir, 'sleeper.log');
  // A group leader with a child: both must be gone afterwards.
  const p = await spawnDetached('sh', ['-c', 'echo hello; sleep 30 & wait'], { cwd: dir, logFile: log });
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(isAlive(p.pid));
  assert.ok(isOurs(p.pid, 'sleep 30 & wait'));
  assert.ok(!isOurs(p.pid, 'something else'));
  const r = await terminateGroup(p.pid, 5000);
  assert.equal(r.killed, false);
  assert.equal(isAlive(p.pid), false);
  assert.match(readFileSync(log, 'utf8'), /hello/);
});

test('a process that ignores SIGTERM is killed after the grace period', async () => {
  const p = await spawnDetached('sh', ['-c', 'trap "" TERM; while true; do sleep 0.1; done'], { cwd: dir, logFile: join(dir, 'stubborn.log') });
  await new Promise((r) => setTimeout(r, 200));
  const t0 = Date.now();
  const r = await terminateGroup(p.pid, 300);
  assert.equal(r.killed, true);
  assert.ok(Date.now() - t0 >= 300);
  assert.equal(isAlive(p.pid), false);
});

test('tailLines returns the last lines of a file larger than one read block', () => {
  const file = join(dir, 'big.log');
  writeFileSync(file, Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join('\n') + '\n');
  assert.deepEqual(tailLines(file, 3), ['line 19997', 'line 19998', 'line 19999']);
  assert.equal(tailLines(file, 5000).length, 5000);
  assert.deepEqual(tailLines(join(dir, 'missing.log'), 3), []);
});
