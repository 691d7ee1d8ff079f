import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigDocument } from '@brewops/platform';
import { serviceConfigSchema, validateConfig } from '@brewops/platform';
import { withFlags, withoutFlags } from '../../src/chaos/fault-config.js';

const doc = (config: Record<string, unknown>): ConfigDocument => ({
  format: 1, service: 'member', env: 'test', pushedAt: '2030-01-01T00:00:00.000Z', origin: 'push', sources: { 'faults.errorRatio': 'config/base.yaml' }, config,
});
const now = new Date('2030-01-01T00:00:10.000Z');

test('fault flags go under faults.instances.<id> and come out again, leaving the rest as it was', () => {
  const before = doc({ logLevel: 'info', faults: { errorRatio: 0, latencyMs: 0 } });
  const { document, prior } = withFlags(before, 'member-1', { errorRatio: 1, hang: true }, 'chaos error-storm', now);
  assert.deepEqual(document.config['faults'], { errorRatio: 0, latencyMs: 0, instances: { 'member-1': { errorRatio: 1, hang: true } } });
  assert.equal(document.sources['faults.instances.member-1.errorRatio'], 'chaos error-storm');
  assert.equal(document.origin, 'chaos error-storm');
  assert.ok(validateConfig(serviceConfigSchema(), document.config).ok, 'what chaos writes passes the services\' schema');
  assert.deepEqual(before.config['faults'], { errorRatio: 0, latencyMs: 0 }, 'the input is not changed');
  const after = withoutFlags(document, 'member-1', prior, 'chaos error-storm (cleared)', now);
  assert.deepEqual(after.config, before.config);
  assert.deepEqual(after.sources, before.sources);
});

test('a service-wide flag replaces the service value and puts it back; an existing instance override survives', () => {
  const before = doc({ faults: { errorRatio: 0.2, instances: { 'member-2': { latencyMs: 5 } } } });
  const { document, prior } = withFlags(before, null, { errorRatio: 1 }, 'chaos', now);
  assert.deepEqual(document.config['faults'], { errorRatio: 1, instances: { 'member-2': { latencyMs: 5 } } });
  assert.deepEqual(withoutFlags(document, null, prior, 'chaos', now).config, before.config);
  const inst = withFlags(before, 'member-2', { hang: true }, 'chaos', now);
  assert.deepEqual(withoutFlags(inst.document, 'member-2', inst.prior, 'chaos', now).config, before.config);
});
