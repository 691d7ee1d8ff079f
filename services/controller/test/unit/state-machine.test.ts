import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, InstanceMachine } from '../../src/state-machine.js';
import type { MachineEvent, MachineRules } from '../../src/state-machine.js';

const R: MachineRules = {
  rules: { suspectAfterFailures: 2, rerouteAfterFailures: 3, restartAfterMs: 2000, recoverAfterSuccesses: 2, recoveryTimeoutMs: 10_000, verifyWindowMs: 5000 },
  backoff: { baseDelayMs: 1000, maxDelayMs: 8000, maxRestarts: 3, windowMs: 600_000 },
};
/** No verification window: reinstated = recovered (the behaviour before the window existed). */
const R0: MachineRules = { ...R, rules: { ...R.rules, verifyWindowMs: 0 } };
const fail = { type: 'probe', ok: false } as const;
const ok = { type: 'probe', ok: true } as const;
const errorRatio = (firing: boolean) => ({ type: 'alert', name: 'error_ratio', firing }) as const;

function failing(m: InstanceMachine, n: number, now = 0): void {
  for (let i = 0; i < n; i++) m.observe(fail, now, R);
}

/** A machine rerouted for failed probes at `at`, then ready again and reinstated (no restart) at `at + 200`: verifying. */
function reinstatedWithoutRestart(at = 0): InstanceMachine {
  const m = new InstanceMachine(at);
  failing(m, 3, at);
  m.begin('reroute');
  m.complete('reroute', true, at, R);
  m.observe(ok, at + 100, R);
  m.observe(ok, at + 200, R);
  assert.equal(m.propose(at + 200, R)?.action, 'reinstate');
  m.begin('reinstate');
  m.complete('reinstate', true, at + 200, R);
  assert.equal(m.state, 'verifying');
  return m;
}

/** Ready probes every 250 ms from `from` to `to`, each followed by a tick (as the loop does). */
function readyUntil(m: InstanceMachine, from: number, to: number, r = R): MachineEvent[] {
  const out: MachineEvent[] = [];
  for (let t = from; t <= to; t += 250) {
    out.push(...m.observe(ok, t, r), ...m.tick(t, r));
  }
  return out;
}

describe('InstanceMachine', () => {
  it('one failed probe is noise; the second makes it suspect; a ready probe clears it', () => {
    const m = new InstanceMachine(0);
    failing(m, 1);
    assert.equal(m.state, 'healthy');
    const ev = m.observe(fail, 10, R);
    assert.equal(m.state, 'suspect');
    assert.ok(ev.some((e) => e.type === 'suspect'));
    assert.equal(m.propose(10, R), undefined, 'no reroute before 3 failures');
    const cleared = m.observe(ok, 20, R);
    assert.equal(m.state, 'healthy');
    assert.ok(cleared.some((e) => e.type === 'cleared'));
  });

  it('walks healthy → suspect → rerouted → restarting → recovering → verifying → healthy', () => {
    const m = new InstanceMachine(0);
    failing(m, 3, 100);
    assert.deepEqual(m.propose(100, R), { action: 'reroute', reason: '3 failed probes' });
    m.begin('reroute');
    assert.equal(m.propose(100, R), undefined, 'nothing while an action is in flight');
    m.complete('reroute', true, 200, R);
    assert.equal(m.state, 'rerouted');
    assert.equal(m.isRerouted, true);
    assert.equal(m.propose(2199, R), undefined, 'restart waits restartAfterMs');
    assert.equal(m.propose(2200, R)?.action, 'restart');
    m.begin('restart');
    assert.equal(m.state, 'rerouted');
    m.complete('restart', true, 2300, R);
    assert.equal(m.state, 'recovering');
    m.observe(ok, 2400, R);
    assert.equal(m.propose(2400, R), undefined, 'one ready probe is not proof');
    m.observe(ok, 2500, R);
    assert.equal(m.propose(2500, R)?.action, 'reinstate');
    m.begin('reinstate');
    const back = m.complete('reinstate', true, 2510, R);
    assert.equal(m.state, 'verifying', 'back in traffic, not yet recovered');
    assert.ok(back.some((e) => e.type === 'state' && e.to === 'verifying' && /verifying for 5000 ms/.test(e.detail)));
    assert.equal(m.isRerouted, false);
    assert.equal(m.isOut, false, 'in traffic again: not out for maxOutShare');
    assert.equal(m.isHealthy, true, 'in traffic and ready: counts for the last-healthy guard');
    assert.equal(m.propose(2600, R), undefined, 'nothing to do while verifying');
    assert.equal(readyUntil(m, 2760, 7500).filter((e) => e.type === 'verified').length, 0, 'not before the window ends');
    assert.equal(m.state, 'verifying');
    const ev = readyUntil(m, 7510, 7510);
    assert.equal(m.state, 'healthy');
    const verified = ev.find((e) => e.type === 'verified');
    assert.equal(verified?.detail, 'verified: ready and within SLO for 5000 ms');
    assert.equal(verified?.verifyingSince, 2510, 'back in traffic since the reinstatement');
    assert.ok(ev.some((e) => e.type === 'state' && e.from === 'verifying' && e.to === 'healthy'));
  });

  it('verifyWindowMs 0: reinstated is recovered at once (no window)', () => {
    const m = new InstanceMachine(0);
    failing(m, 3);
    m.begin('reroute');
    m.complete('reroute', true, 0, R0);
    m.observe(ok, 100, R0);
    m.observe(ok, 200, R0);
    m.begin('reinstate');
    const ev = m.complete('reinstate', true, 210, R0);
    assert.equal(m.state, 'healthy');
    assert.deepEqual(ev.map((e) => e.type), ['verified', 'state']);
    assert.equal(ev[1]?.from, 'rerouted');
  });

  it('a traffic signal during the window: verification failed, rerouted again at once, restarted after the back-off', () => {
    const m = reinstatedWithoutRestart();
    readyUntil(m, 250, 1500);
    const ev = m.observe(errorRatio(true), 1600, R);
    assert.equal(m.state, 'suspect');
    const failed = ev.find((e) => e.type === 'verification_failed');
    assert.equal(failed?.detail, 'slo_breached: error_ratio, 1400 ms into the 5000 ms window');
    assert.ok(ev.some((e) => e.type === 'suspect' && e.detail === 'verification failed: slo_breached: error_ratio'));
    assert.deepEqual(m.propose(1600, R), { action: 'reroute', reason: 'verification failed (slo_breached: error_ratio)' }, 'at once, not after rerouteAfterFailures probes');
    m.begin('reroute');
    m.complete('reroute', true, 1610, R);
    assert.equal(m.state, 'rerouted');
    assert.equal(m.propose(3609, R), undefined, 'restart waits restartAfterMs as usual');
    assert.match(m.propose(3610, R)?.reason ?? '', /^verification failed \(slo_breached: error_ratio\); restart/);
  });

  it('after a failed verification a rerouted instance is restarted before it may be reinstated again', () => {
    const m = reinstatedWithoutRestart();
    m.observe(fail, 1000, R);
    assert.equal(m.state, 'verifying', 'one failed probe is noise');
    const ev = m.observe({ type: 'probe', ok: false, detail: 'HTTP 503' }, 1250, R);
    assert.equal(ev.find((e) => e.type === 'verification_failed')?.detail, 'not_ready: 2 failed probes (HTTP 503), 1050 ms into the 5000 ms window');
    m.begin('reroute');
    m.complete('reroute', true, 1300, R);
    m.observe(ok, 1400, R);
    m.observe(ok, 1500, R);
    m.observe(ok, 1600, R);
    assert.equal(m.propose(1600, R), undefined, 'ready again, but no reinstate without a restart (no reroute/reinstate loop)');
    assert.equal(m.propose(3300, R)?.action, 'restart');
    m.begin('restart');
    m.complete('restart', true, 3300, R);
    m.observe(ok, 3400, R);
    m.observe(ok, 3500, R);
    assert.equal(m.propose(3500, R)?.action, 'reinstate', 'the new process may be reinstated');
  });

  it('lease loss or a failed probe at the end of the window: not verified', () => {
    const lost = reinstatedWithoutRestart();
    const ev = lost.observe({ type: 'lease_lost' }, 900, R);
    assert.equal(ev.find((e) => e.type === 'verification_failed')?.detail, 'lease_lost, 700 ms into the 5000 ms window');
    assert.deepEqual(lost.propose(900, R), { action: 'reroute', reason: 'lease lost' });

    const late = reinstatedWithoutRestart();
    readyUntil(late, 250, 5000);
    late.observe(fail, 5150, R);
    assert.deepEqual(late.tick(5300, R), [], 'the last probe failed: wait for the next one');
    assert.equal(late.state, 'verifying');
    late.observe(ok, 5400, R);
    assert.ok(late.tick(5400, R).some((e) => e.type === 'verified'));
  });

  it('repeated failed verifications: restarts back off, then it is left rerouted and flagged', () => {
    const r: MachineRules = { ...R, rules: { ...R.rules, restartAfterMs: 0 } }; // only the back-off spaces the restarts
    const m = new InstanceMachine(0);
    m.observe({ type: 'lease_lost' }, 0, r);
    m.begin('reroute');
    m.complete('reroute', true, 0, r);
    let now = 0;
    const restartsAt: number[] = [];
    const failedAt: number[] = [];
    for (let i = 0; i < 1000 && m.flagged === null; i++, now += 50) {
      m.tick(now, r);
      const p = m.propose(now, r);
      if (!p) continue;
      m.begin(p.action);
      m.complete(p.action, true, now, r);
      if (p.action === 'restart') {
        restartsAt.push(now);
        m.observe({ type: 'registered' }, now + 100, r);
        now += 200;
        m.observe(ok, now, r);
        m.observe(ok, now + 50, r);
      } else if (p.action === 'reinstate') {
        readyUntil(m, now + 250, now + 1000, r);
        now += 1100;
        failedAt.push(now);
        m.observe(errorRatio(true), now, r); // the fault persists in every new process
        assert.equal(m.state, 'suspect');
      }
    }
    assert.equal(restartsAt.length, 3, 'maxRestarts restarts, no more');
    assert.equal(failedAt.length, 3, 'each recovery failed its verification');
    assert.match(m.flagged ?? '', /restarted 3 times/);
    assert.equal(m.state, 'rerouted', 'left out of traffic');
    assert.equal(m.propose(now + 1_000_000, r), undefined, 'no loop');
    // after the 1st and 2nd failed verification: 1 s, then 2 s of back-off before the restart
    assert.ok(restartsAt[1]! - failedAt[0]! >= 1000 && restartsAt[1]! - failedAt[0]! < 1100, `${restartsAt[1]! - failedAt[0]!}`);
    assert.ok(restartsAt[2]! - failedAt[1]! >= 2000 && restartsAt[2]! - failedAt[1]! < 2100, `${restartsAt[2]! - failedAt[1]!}`);
  });

  it('a failed verification whose reroute is refused: ready again in traffic, verified again before it counts', () => {
    const m = reinstatedWithoutRestart();
    m.observe(errorRatio(true), 1000, R);
    assert.equal(m.propose(1000, R)?.action, 'reroute'); // the caller's guard refuses it (last in traffic)
    m.observe(errorRatio(false), 2000, R);
    const ev = m.observe(ok, 2100, R);
    assert.equal(m.state, 'verifying', 'not cleared as transient: the recovery must hold for a window');
    assert.ok(!ev.some((e) => e.type === 'cleared'));
    const done = readyUntil(m, 2350, 7100);
    assert.equal(m.state, 'healthy');
    assert.equal(done.find((e) => e.type === 'verified')?.verifyingSince, 2100);
  });

  it('lease loss reroutes at once; recovery waits for the new registration', () => {
    const m = new InstanceMachine(0);
    m.observe({ type: 'lease_lost' }, 5, R);
    assert.equal(m.state, 'suspect');
    assert.equal(m.propose(5, R)?.action, 'reroute');
    m.begin('reroute');
    m.complete('reroute', true, 6, R);
    m.begin('restart');
    m.complete('restart', true, 2100, R);
    m.observe(ok, 2200, R);
    m.observe(ok, 2300, R);
    assert.equal(m.propose(2300, R), undefined, 'ready probes without a registration do not count');
    m.observe({ type: 'registered' }, 2350, R);
    m.observe(ok, 2400, R);
    m.observe(ok, 2450, R);
    assert.equal(m.propose(2450, R)?.action, 'reinstate');
  });

  it('an alert that arrived while the process was gone is dropped when the new one registers', () => {
    const m = new InstanceMachine(0);
    m.observe({ type: 'lease_lost' }, 5, R);
    m.begin('reroute');
    m.complete('reroute', true, 6, R);
    m.begin('restart');
    m.complete('restart', true, 2100, R);
    // Alertmanager delivers the dead process's InstanceDown after the restart, before the new registration
    m.observe({ type: 'alert', name: 'BrewopsInstanceDown', firing: true }, 2300, R);
    const events = m.observe({ type: 'registered' }, 2350, R);
    assert.ok(events.some((e) => e.type === 'alert' && /cleared with the old process: BrewopsInstanceDown/.test(e.detail)));
    m.observe(ok, 2400, R);
    m.observe(ok, 2450, R);
    assert.equal(m.propose(2450, R)?.action, 'reinstate', 'not held back until the alert resolves 20 s later');
  });

  it('a firing alert reroutes; recovery waits until it resolves', () => {
    const m = new InstanceMachine(0);
    m.observe({ type: 'alert', name: 'HighErrorRatio', firing: true }, 0, R);
    assert.equal(m.propose(0, R)?.reason, 'alert HighErrorRatio');
    m.begin('reroute');
    m.complete('reroute', true, 1, R);
    m.observe(ok, 2, R);
    m.observe(ok, 3, R);
    assert.equal(m.propose(3, R), undefined);
    m.observe({ type: 'alert', name: 'HighErrorRatio', firing: false }, 4, R);
    m.observe(ok, 5, R);
    assert.equal(m.propose(5, R)?.action, 'reinstate');
  });

  it('a restart clears the alerts about the old process', () => {
    const m = new InstanceMachine(0);
    m.observe({ type: 'alert', name: 'HighErrorRatio', firing: true }, 0, R);
    m.begin('reroute');
    m.complete('reroute', true, 1, R);
    assert.equal(m.propose(2001, R)?.action, 'restart');
    m.begin('restart');
    m.complete('restart', true, 2002, R);
    m.observe(ok, 2100, R);
    m.observe(ok, 2200, R);
    assert.equal(m.propose(2200, R)?.action, 'reinstate');
  });

  it('a rerouted instance that is ready again on its own is reinstated without a restart', () => {
    const m = new InstanceMachine(0);
    failing(m, 3);
    m.begin('reroute');
    m.complete('reroute', true, 0, R);
    m.observe(ok, 100, R);
    m.observe(ok, 200, R);
    assert.equal(m.propose(200, R)?.action, 'reinstate');
  });

  it('backs off between failed restarts, then leaves it rerouted and flagged', () => {
    const m = new InstanceMachine(0);
    failing(m, 3);
    m.begin('reroute');
    m.complete('reroute', true, 0, R);
    let now = 2000;
    const restartsAt: number[] = [];
    for (let i = 0; i < 1000 && m.flagged === null; i++) {
      m.tick(now, R);
      const p = m.propose(now, R);
      if (p?.action === 'restart') {
        restartsAt.push(now);
        m.begin('restart');
        m.complete('restart', true, now, R);
        now += R.rules.recoveryTimeoutMs + 1; // never ready
        const ev = m.tick(now, R);
        assert.ok(ev.some((e) => e.type === 'recovery_timeout'));
        assert.equal(m.state, 'rerouted');
      } else {
        now += 100;
      }
    }
    assert.equal(restartsAt.length, 3, 'maxRestarts restarts, no more');
    assert.match(m.flagged ?? '', /restarted 3 times/);
    assert.equal(m.state, 'rerouted');
    assert.equal(m.isRerouted, true);
    assert.equal(m.propose(now + 1_000_000, R), undefined, 'no restart loop');
    // the 2nd and 3rd restart waited their back-off (1 s, then 2 s) after the timeout
    assert.ok(restartsAt[2]! - restartsAt[1]! >= R.rules.recoveryTimeoutMs + 2000);
  });

  it('a failed restart call counts and is retried after the back-off', () => {
    const m = new InstanceMachine(0);
    failing(m, 3);
    m.begin('reroute');
    m.complete('reroute', true, 0, R);
    m.begin('restart');
    m.complete('restart', false, 2000, R);
    assert.equal(m.state, 'rerouted');
    assert.equal(m.propose(2500, R), undefined);
    assert.equal(m.propose(3000, R)?.action, 'restart');
  });

  it('restart in place only for a suspect instance whose process is gone', () => {
    const m = new InstanceMachine(0);
    failing(m, 3);
    assert.equal(m.proposeRestartInPlace(0), undefined);
    m.observe({ type: 'lease_lost' }, 1, R);
    assert.equal(m.proposeRestartInPlace(1)?.action, 'restart');
  });

  it('back-off doubles up to its maximum', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, R.backoff)), [0, 1000, 2000, 4000, 8000, 8000]);
  });
});
