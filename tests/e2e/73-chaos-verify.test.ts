/**
 * `brewops chaos verify` on the live stack with the controller acting: every scenario of the
 * catalog (docs/scenarios.md) is injected with its short verify duration, and the table shows the
 * expected alert, controller action and recovery against what was observed. Exit 0 = no miss.
 * RabbitMQ is skipped when the stack reuses the machine's broker (brewops never stops it).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { root } from '../support/stack.js';
import { restoreConfig, setControllerDryRun } from './70-controller-helpers.js';

interface Row { scenario: string; target: string; fired: string; observedAction: string; recovered: string; ok: boolean; misses: string[] }

before(async () => {
  await setControllerDryRun(false);
});

after(async () => {
  await restoreConfig();
});

test('chaos verify: every scenario as the catalog says (alert, controller action, recovery within the bound)', { timeout: 420_000 }, async () => {
  const p = spawn(process.execPath, [join(root, 'packages', 'cli', 'dist', 'src', 'main.js'), 'chaos', 'verify', '--json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let progress = '';
  p.stdout.on('data', (b: Buffer) => void (out += b.toString()));
  p.stderr.on('data', (b: Buffer) => { progress += b.toString(); process.stdout.write(`  ${b.toString().trimEnd().split('\n').join('\n  ')}\n`); });
  const timer = setTimeout(() => p.kill('SIGINT'), 400_000); // SIGINT: verify clears the running fault, then exits
  const code = await new Promise<number>((resolve) => p.on('exit', (c) => { clearTimeout(timer); resolve(c ?? 1); }));
  const report = JSON.parse(out) as { ok: boolean; totalMs: number; rows: Row[] };
  for (const r of report.rows) console.log(`  ${r.scenario.padEnd(18)} fired: ${r.fired.padEnd(28)} action: ${r.observedAction.padEnd(34)} recovered: ${r.recovered}`);
  console.log(`  verify took ${(report.totalMs / 1000).toFixed(0)} s`);
  const misses = report.rows.filter((r) => !r.ok).map((r) => `${r.scenario}: ${r.misses.join('; ')}`);
  assert.deepEqual(misses, [], `misses:\n${misses.join('\n')}\n${progress.slice(-3000)}`);
  assert.equal(code, 0);
  assert.equal(report.ok, true);
  assert.equal(report.rows.length, 13, 'every scenario of the catalog has a row');
  const crash = report.rows.find((r) => r.scenario === 'instance-crash')!;
  assert.match(crash.observedAction, /reroute.*restart.*reinstate/, 'kill -9: the controller rerouted, restarted and reinstated the instance');
  for (const name of ['zipkin-down', 'search-down', 'etcd-down']) {
    assert.match(report.rows.find((r) => r.scenario === name)!.fired, /pending|firing/, `${name}: its alert was not seen`);
  }
});
