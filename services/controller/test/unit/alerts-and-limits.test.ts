import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { instanceAlerts, webhookSchema } from '../../src/alerts.js';
import { TokenBucket } from '../../src/rate-limit.js';
import { configShape } from '../../src/config.js';
import { serviceConfigSchema, validateConfig } from '@brewops/platform';

describe('Alertmanager webhook', () => {
  it('takes alerts that name an instance and ignores the others', () => {
    const hook = webhookSchema.parse({
      version: '4',
      status: 'firing',
      alerts: [
        { status: 'firing', labels: { alertname: 'BrewopsHighErrorRatio', service: 'member', instance_id: 'member-1' }, fingerprint: 'a' },
        { status: 'resolved', labels: { alertname: 'BrewopsSlow', service: 'order', instance_id: 'order-1' } },
        { status: 'firing', labels: { alertname: 'BrewopsQueueBacklogGrowing', queue: 'q' } },
      ],
    });
    assert.deepEqual(instanceAlerts(hook), {
      alerts: [
        { service: 'member', instanceId: 'member-1', name: 'BrewopsHighErrorRatio', firing: true },
        { service: 'order', instanceId: 'order-1', name: 'BrewopsSlow', firing: false },
      ],
      ignored: 1,
    });
  });

  it('refuses a body that is not a webhook', () => {
    assert.equal(webhookSchema.safeParse({ alerts: [{ status: 'maybe', labels: {} }] }).success, false);
  });
});

describe('TokenBucket', () => {
  it('allows the burst, then refills at the rate', () => {
    const b = new TokenBucket(60, 2, 0);
    assert.equal(b.tryTake(0), true);
    assert.equal(b.tryTake(0), true);
    assert.equal(b.tryTake(0), false);
    assert.equal(b.tryTake(999), false);
    assert.equal(b.tryTake(1000), true);
    b.configure(60, 1);
    assert.equal(b.available(100_000), 1, 'a smaller burst caps the tokens');
  });
});

describe('config', () => {
  it('defaults are the documented rules; invalid values are refused', () => {
    const schema = serviceConfigSchema(configShape);
    const ok = validateConfig(schema, {});
    assert.ok(ok.ok);
    const v = ok.value as unknown as { probe: { intervalMs: number; timeoutMs: number }; rules: { suspectAfterFailures: number; rerouteAfterFailures: number; restartAfterMs: number }; dryRun: boolean };
    assert.deepEqual([v.probe.intervalMs, v.probe.timeoutMs, v.rules.suspectAfterFailures, v.rules.rerouteAfterFailures, v.rules.restartAfterMs, v.dryRun], [250, 300, 2, 3, 2000, false]);
    assert.equal(validateConfig(schema, { safety: { maxOutShare: 2 } }).ok, false);
    assert.equal(validateConfig(schema, { rules: { bogus: 1 } }).ok, false);
  });
});
