import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine.js';
import type { EngineConfig, EngineEvent } from '../../src/engine.js';

function config(over: Partial<EngineConfig> = {}, safety: Partial<EngineConfig['safety']> = {}): EngineConfig {
  return {
    dryRun: false,
    rules: { suspectAfterFailures: 2, rerouteAfterFailures: 3, restartAfterMs: 2000, recoverAfterSuccesses: 2, recoveryTimeoutMs: 10_000, verifyWindowMs: 5000 },
    backoff: { baseDelayMs: 1000, maxDelayMs: 8000, maxRestarts: 3, windowMs: 600_000 },
    safety: { maxOutShare: 0.5, actionsPerMinute: 60, actionBurst: 10, ...safety },
    ...over,
  };
}

function setup(ids: string[], cfg = config(), service = 'member'): { engine: Engine; events: EngineEvent[] } {
  const events: EngineEvent[] = [];
  const engine = new Engine(() => cfg, (e) => events.push(e), 0);
  for (const id of ids) engine.track(service, id, 0);
  return { engine, events };
}

function fail(engine: Engine, id: string, n = 3, service = 'member'): void {
  for (let i = 0; i < n; i++) engine.signal(service, id, { type: 'probe', ok: false }, 0);
}

/** Performs every decision of one turn with `result`, as the controller does. */
function run(engine: Engine, now: number, result: 'ok' | 'dry_run' = 'ok'): Array<[string, string]> {
  const ds = engine.step(now);
  for (const d of ds) engine.complete(d, result, '', now);
  return ds.map((d) => [d.instanceId, d.action]);
}

/** Reroutes `id` for failed probes at `at`, then ready again and reinstated at `at + 2`: verifying. */
function reinstate(engine: Engine, id: string, at: number, result: 'ok' | 'dry_run' = 'ok'): void {
  fail(engine, id);
  assert.deepEqual(run(engine, at, result), [[id, 'reroute']]);
  engine.signal('member', id, { type: 'probe', ok: true }, at + 1);
  engine.signal('member', id, { type: 'probe', ok: true }, at + 2);
  assert.deepEqual(run(engine, at + 2, result), [[id, 'reinstate']]);
  assert.equal(engine.snapshot().find((s) => s.instanceId === id)?.state, 'verifying');
}

const stateOf = (engine: Engine, id: string): string | undefined => engine.snapshot().find((s) => s.instanceId === id)?.state;

describe('Engine guards', () => {
  it('reroutes a failing instance while another one is healthy', () => {
    const { engine } = setup(['m-1', 'm-2']);
    fail(engine, 'm-1');
    const d = engine.step(1);
    assert.deepEqual(d.map((x) => [x.instanceId, x.action, x.dryRun]), [['m-1', 'reroute', false]]);
  });

  it('never reroutes the last healthy instance of a service', () => {
    const { engine, events } = setup(['m-1', 'm-2']);
    fail(engine, 'm-1');
    for (const d of engine.step(1)) engine.complete(d, 'ok', '', 1);
    fail(engine, 'm-2');
    assert.deepEqual(engine.step(2), []);
    assert.deepEqual(engine.step(3), []);
    const blocked = events.filter((e) => e.type === 'blocked' && e.instanceId === 'm-2');
    assert.equal(blocked.length, 1, 'recorded once, not on every turn');
    assert.match(blocked[0]!.detail, /last healthy/);
  });

  it('a single instance is never rerouted; when its process is gone it is restarted in place', () => {
    const { engine, events } = setup(['solo-1'], config(), 'solo');
    fail(engine, 'solo-1', 3, 'solo');
    assert.deepEqual(engine.step(1), []);
    engine.signal('solo', 'solo-1', { type: 'lease_lost' }, 2);
    const d = engine.step(3);
    assert.deepEqual(d.map((x) => x.action), ['restart']);
    assert.ok(events.some((e) => e.type === 'blocked' && /last healthy/.test(e.detail)));
  });

  it('keeps at most maxOutShare of a service out at once', () => {
    const { engine, events } = setup(['m-1', 'm-2', 'm-3', 'm-4'], config({}, { maxOutShare: 0.25 }));
    fail(engine, 'm-1');
    fail(engine, 'm-2');
    const d = engine.step(1);
    assert.deepEqual(d.map((x) => x.instanceId), ['m-1']);
    assert.ok(events.some((e) => e.type === 'blocked' && e.instanceId === 'm-2' && /max share/.test(e.detail)));
    // once m-1 is back, m-2 may go
    engine.complete(d[0]!, 'ok', '', 2);
    engine.signal('member', 'm-1', { type: 'probe', ok: true }, 3);
    engine.signal('member', 'm-1', { type: 'probe', ok: true }, 4);
    const next = engine.step(5);
    assert.deepEqual(next.map((x) => [x.instanceId, x.action]), [['m-1', 'reinstate']]);
    engine.complete(next[0]!, 'ok', '', 5);
    assert.equal(stateOf(engine, 'm-1'), 'verifying');
    assert.deepEqual(engine.step(6).map((x) => [x.instanceId, x.action]), [['m-2', 'reroute']], 'a verifying instance is back in traffic: not out');
  });

  it('verification window: passes → healthy; a breach → failed, rerouted again at once, restart after the usual wait', () => {
    const { engine, events } = setup(['m-1', 'm-2']);
    reinstate(engine, 'm-1', 0);
    for (let t = 250; t < 5002; t += 250) {
      engine.signal('member', 'm-1', { type: 'probe', ok: true }, t);
      assert.deepEqual(run(engine, t), []);
    }
    assert.equal(stateOf(engine, 'm-1'), 'verifying');
    engine.signal('member', 'm-1', { type: 'probe', ok: true }, 5002);
    assert.deepEqual(run(engine, 5002), []);
    assert.equal(stateOf(engine, 'm-1'), 'healthy');
    assert.equal(events.find((e) => e.type === 'verified')?.detail, 'verified: ready and within SLO for 5000 ms');

    reinstate(engine, 'm-2', 10_000);
    engine.signal('member', 'm-2', { type: 'alert', name: 'latency', firing: true }, 11_000);
    assert.ok(events.some((e) => e.type === 'verification_failed' && e.instanceId === 'm-2' && /^slo_breached: latency/.test(e.detail)));
    assert.deepEqual(run(engine, 11_000), [['m-2', 'reroute']], 'rerouted again at once');
    assert.deepEqual(run(engine, 12_999), []);
    assert.deepEqual(run(engine, 13_000), [['m-2', 'restart']]);
  });

  it('an instance that breaches during verification while it is the last one in traffic is not rerouted', () => {
    const { engine, events } = setup(['m-1', 'm-2']);
    reinstate(engine, 'm-1', 0);
    fail(engine, 'm-2');
    assert.deepEqual(run(engine, 10), [['m-2', 'reroute']], 'the verifying m-1 is in traffic and ready: m-2 may go');
    engine.signal('member', 'm-1', { type: 'alert', name: 'error_ratio', firing: true }, 20);
    assert.equal(stateOf(engine, 'm-1'), 'suspect');
    assert.ok(events.some((e) => e.type === 'verification_failed' && e.instanceId === 'm-1'));
    assert.deepEqual(run(engine, 21), [], 'm-1 is the last instance in traffic');
    assert.deepEqual(run(engine, 22), []);
    const blocked = events.filter((e) => e.type === 'blocked' && e.instanceId === 'm-1');
    assert.equal(blocked.length, 1);
    assert.equal(blocked[0]?.blocked, 'last_healthy');
  });

  it('verifyWindowMs 0: reinstated is healthy at once', () => {
    const cfg = config();
    const { engine } = setup(['m-1', 'm-2'], { ...cfg, rules: { ...cfg.rules, verifyWindowMs: 0 } });
    fail(engine, 'm-1');
    run(engine, 0);
    engine.signal('member', 'm-1', { type: 'probe', ok: true }, 1);
    engine.signal('member', 'm-1', { type: 'probe', ok: true }, 2);
    assert.deepEqual(run(engine, 2), [['m-1', 'reinstate']]);
    assert.equal(stateOf(engine, 'm-1'), 'healthy');
  });

  it('rate-limits reroutes and restarts globally, across services', () => {
    const cfg = config({}, { actionsPerMinute: 1, actionBurst: 2, maxOutShare: 1 });
    const events: EngineEvent[] = [];
    const engine = new Engine(() => cfg, (e) => events.push(e), 0);
    for (const s of ['a', 'b', 'c']) {
      engine.track(s, `${s}-1`, 0);
      engine.track(s, `${s}-2`, 0);
      fail(engine, `${s}-1`, 3, s);
    }
    assert.equal(engine.step(1).length, 2, 'burst of 2');
    assert.equal(engine.step(2).length, 0);
    assert.ok(events.some((e) => e.type === 'blocked' && /rate limit/.test(e.detail)));
    assert.equal(engine.step(60_001).length, 1, 'one more token after a minute');
  });

  it('a dead last instance whose restart in place is rate-limited: each refusal reported once a minute, not every turn', () => {
    // the rate limit is spent by another service first
    const cfg = config({}, { actionsPerMinute: 1, actionBurst: 1 });
    const events: EngineEvent[] = [];
    const engine = new Engine(() => cfg, (e) => events.push(e), 0);
    engine.track('other', 'o-1', 0);
    engine.track('other', 'o-2', 0);
    fail(engine, 'o-1', 3, 'other');
    engine.track('solo', 'solo-1', 0);
    fail(engine, 'solo-1', 3, 'solo');
    engine.signal('solo', 'solo-1', { type: 'lease_lost' }, 0);
    assert.deepEqual(engine.step(1).map((d) => d.instanceId), ['o-1']);
    for (let now = 2; now < 2000; now += 50) assert.deepEqual(engine.step(now), []);
    const solo = events.filter((e) => e.type === 'blocked' && e.instanceId === 'solo-1').map((e) => e.blocked);
    assert.deepEqual(solo.sort(), ['last_healthy', 'rate_limited'], `one event per refusal, got ${solo.length}`);
    // a minute later both are still true: reported once more each, then the token arrives
    engine.step(61_000);
    const again = events.filter((e) => e.type === 'blocked' && e.instanceId === 'solo-1');
    assert.ok(again.length <= 4, `at most one repeat per refusal after a minute, got ${again.length}`);
  });

  it('dry-run decides the same actions, marked dry-run', () => {
    const { engine } = setup(['m-1', 'm-2'], config({ dryRun: true }));
    fail(engine, 'm-1');
    const [d] = engine.step(1);
    assert.equal(d?.action, 'reroute');
    assert.equal(d?.dryRun, true);
  });

  it('dry-run: the verification runs on what would have happened; a breach decides a (dry-run) reroute', () => {
    const { engine, events } = setup(['m-1', 'm-2'], config({ dryRun: true }));
    reinstate(engine, 'm-1', 0, 'dry_run');
    engine.signal('member', 'm-1', { type: 'probe', ok: false }, 100);
    engine.signal('member', 'm-1', { type: 'probe', ok: false }, 350);
    const ds = engine.step(350);
    assert.deepEqual(ds.map((d) => [d.action, d.dryRun]), [['reroute', true]]);
    assert.ok(events.some((e) => e.type === 'verification_failed' && /^not_ready: 2 failed probes/.test(e.detail)));
    assert.ok(events.filter((e) => e.type === 'action').every((e) => e.result === 'dry_run'), 'nothing performed');
  });

  it('leaves an instance held by a foreign override alone', () => {
    const { engine } = setup(['m-1', 'm-2']);
    engine.hold('member', 'm-1', true);
    fail(engine, 'm-1');
    assert.deepEqual(engine.step(1), []);
    engine.hold('member', 'm-1', false);
    assert.deepEqual(engine.step(2).map((d) => d.action), ['reroute']);
  });

  it('records the timeline: suspect, decision, action result, state changes', () => {
    const { engine, events } = setup(['m-1', 'm-2']);
    fail(engine, 'm-1');
    for (const d of engine.step(1)) engine.complete(d, 'ok', 'override written', 2);
    assert.deepEqual(
      events.map((e) => e.type),
      ['suspect', 'state', 'decision', 'action', 'state'],
    );
    assert.deepEqual(engine.snapshot().find((s) => s.instanceId === 'm-1'), {
      service: 'member', instanceId: 'm-1', state: 'rerouted', leaseLost: false, rerouted: true, flagged: null, pending: null, held: false,
    });
  });
});
