import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCENARIOS } from '../../src/chaos/catalog.js';
import { renderScenariosDoc } from '../../src/chaos/doc.js';
import { inOrder, judge } from '../../src/chaos/verify.js';
import type { RunResult } from '../../src/chaos/run.js';

const ROOT = join(__dirname, '..', '..', '..', '..', '..');

test('docs/scenarios.md is the catalog rendered (regenerate: ./brewops chaos list --markdown > docs/scenarios.md)', () => {
  assert.equal(readFileSync(join(ROOT, 'docs', 'scenarios.md'), 'utf8'), renderScenariosDoc());
});

test('every alert the catalog names is a rule in alert-rules/, with the same for:', () => {
  const rules = new Map<string, string>();
  for (const f of readdirSync(join(ROOT, 'alert-rules')).filter((n) => n.endsWith('.rules.yml'))) {
    const text = readFileSync(join(ROOT, 'alert-rules', f), 'utf8');
    for (const m of text.matchAll(/- alert: (\S+)\n(?:[\s\S]*?)\n\s+for: (\S+)/g)) if (!rules.has(m[1]!)) rules.set(m[1]!, m[2]!);
  }
  for (const s of SCENARIOS) {
    if (s.alert.rule === null) continue;
    assert.equal(rules.get(s.alert.rule), s.alert.for, `${s.name}: ${s.alert.rule} for: in alert-rules/`);
  }
});

test('the catalog has the scenarios of the issue, unique names, and bounds verify can meet in ~4 minutes', () => {
  const names = SCENARIOS.map((s) => s.name);
  assert.equal(new Set(names).size, names.length);
  for (const n of ['instance-crash', 'instance-hang', 'error-storm', 'slow-responses', 'memory-growth', 'cpu-burn', 'broker-disconnect', 'zipkin-down', 'search-down', 'etcd-down', 'rabbitmq-down']) {
    assert.ok(names.includes(n), n);
  }
  const verifyOutages = SCENARIOS.reduce((t, s) => t + s.verify.durationMs, 0);
  assert.ok(verifyOutages <= 90_000, `verify injects faults for ${verifyOutages} ms in total`);
  for (const s of SCENARIOS.filter((x) => x.fault.kind === 'backend')) assert.ok(s.verify.durationMs <= 15_000, `${s.name}: backend outages stay ≤ 15 s`);
});

const run = (over: Partial<RunResult>): RunResult => ({
  scenario: 'x', target: 'member-1', refused: null, injectedAt: 0, clearedAt: 1000, recoveredAt: 3000, steps: [], alerts: [], incidents: [], controllerDryRun: false, ...over,
});
const incident = (...actions: string[]) => ({
  id: 'i', service: 'member', instanceId: 'member-1', status: 'recovered', openedAt: '', closedAt: null, dryRun: false,
  timeline: actions.map((a) => ({ at: '', type: 'action', detail: '', action: a, result: 'ok' })),
});

test('verify judges expected against observed: actions in order, pending alerts, recovery bound', () => {
  assert.equal(inOrder(['reroute', 'reinstate'], ['reroute', 'restart', 'reinstate']), true);
  assert.equal(inOrder(['reroute', 'restart'], ['restart', 'reroute']), false);
  const crash = SCENARIOS.find((s) => s.name === 'instance-crash')!;
  const ok = judge(crash, run({ incidents: [incident('reroute', 'restart', 'reinstate')] }));
  assert.equal(ok.ok, true, ok.misses.join());
  assert.match(ok.fired, /^not checked \(for: 15s\)/);
  assert.equal(ok.recovered, 'yes (2.0 s ≤ 20 s)');
  const noRestart = judge(crash, run({ incidents: [incident('reroute')], recoveredAt: null }));
  assert.deepEqual(noRestart.misses, ['controller: expected reroute → restart → reinstate, observed reroute', 'not recovered within the bound']);
  const etcd = SCENARIOS.find((s) => s.name === 'etcd-down')!;
  assert.deepEqual(judge(etcd, run({ target: 'etcd' })).misses, ['alert BrewopsEtcdDown never pending']);
  assert.equal(judge(etcd, run({ target: 'etcd', alerts: [{ name: 'BrewopsEtcdDown', state: 'pending', labels: {} }] })).ok, true);
  assert.equal(judge(etcd, run({ target: 'etcd', alerts: [{ name: 'BrewopsEtcdDown', state: 'pending', labels: {} }], incidents: [incident('reroute')] })).ok, false, 'an action where none is expected is a miss');
  const rabbit = judge(SCENARIOS.find((s) => s.name === 'rabbitmq-down')!, run({ refused: 'not started by brewops' }));
  assert.equal(rabbit.ok, true);
  assert.match(rabbit.recovered, /^skipped: not started by brewops/);
});
