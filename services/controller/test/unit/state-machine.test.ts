import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, InstanceMachine } from '../../src/state-machine.js';
import type { MachineRules } from '../../src/state-machine.js';

const R: MachineRules = {
  rules: { suspectAfterFailures: 2, rerouteAfterFailures: 3, restartAfterMs: 2000, recoverAfterSuccesses: 2, recoveryTimeoutMs: 10_000 },
  backoff: { baseDelayMs: 1000, maxDelayMs: 8000, maxRestarts: 3, windowMs: 600_000 },
};
const fail = { type: 'probe', ok: false } as const;
const ok = { type: 'probe', ok: true } as const;

function failing(m: InstanceMachine, n: number, now = 0): void {
  for (let i = 0; i < n; i++) m.observe(fail, now, R);
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

  it('walks healthy → suspect → rerouted → restarting → recovering → healthy', () => {
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
    m.complete('reinstate', true, 2510, R);
    assert.equal(m.state, 'healthy');
    assert.equal(m.isRerouted, false);
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
