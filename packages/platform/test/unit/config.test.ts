import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import {
  ConfigError,
  LiveConfig,
  createConfigMetrics,
  loadLocalCopy,
  parseDocument,
  resolveSecret,
  saveLocalCopy,
  serviceConfigSchema,
  validateConfig,
} from '../../src/config/index.js';
import { createMetrics } from '../../src/metrics/index.js';
import { METRIC_CONFIG_REFUSED, METRIC_CONFIG_REVISION } from '../../src/semconv.js';

function capture() {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  const log = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg: msg ?? '' });
  return { lines, logger: { info: log('info'), error: log('error') } };
}

async function metricValue(registry: ReturnType<typeof createMetrics>['registry'], name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = (m?.values as Array<{ value: number; labels: Record<string, string> }> | undefined)?.find((x) =>
    Object.entries(labels).every(([k, l]) => x.labels[k] === l),
  );
  return v?.value ?? NaN;
}

describe('config schema', () => {
  const schema = serviceConfigSchema({ cacheMaxAgeSeconds: z.number().int().min(0).default(0) });

  it('fills every default from an empty document', () => {
    const r = validateConfig(schema, {});
    assert.ok(r.ok);
    assert.equal(r.value.logLevel, 'info');
    assert.deepEqual(r.value.faults, {
      errorRatio: 0, latencyMs: 0, hang: false, crashAt: null, memoryGrowthMbPerSec: 0, memoryCapMb: 256, cpuBurnRatio: 0, brokerDisconnect: false, instances: {},
    });
    assert.equal(r.value['cacheMaxAgeSeconds'], 0);
  });

  it('names the key and the reason for a wrong type, an unknown key and an out-of-range value', () => {
    const r = validateConfig(schema, { logLevel: 3, faults: { errorRatio: 2, bogus: 1 }, nope: true });
    assert.ok(!r.ok);
    const byPath = new Map(r.issues.map((i) => [i.path, i.reason]));
    assert.match(byPath.get('logLevel') ?? '', /expected one of/);
    assert.match(byPath.get('faults.errorRatio') ?? '', /<=1/);
    assert.equal(byPath.get('faults.bogus'), 'unknown key');
    assert.equal(byPath.get('nope'), 'unknown key');
  });

  it('fills upstream policy defaults and refuses a breaker threshold of 0', () => {
    const ok = validateConfig(schema, { upstreams: { member: { timeoutMs: 500 } } });
    assert.ok(ok.ok);
    assert.equal(ok.value.upstreams['member']?.breaker.consecutiveFailures, 5);
    const bad = validateConfig(schema, { upstreams: { member: { breaker: { consecutiveFailures: 0 } } } });
    assert.ok(!bad.ok);
    assert.equal(bad.issues[0]?.path, 'upstreams.member.breaker.consecutiveFailures');
  });

  it('accepts secrets only as references', () => {
    assert.ok(validateConfig(schema, { secrets: { jwt: { env: 'JWT_SECRET' } } }).ok);
    assert.ok(!validateConfig(schema, { secrets: { jwt: 'plain-value' } }).ok);
  });

  it('refuses a service key that shadows a platform key', () => {
    assert.throws(() => serviceConfigSchema({ logLevel: z.string() }), /platform key/);
  });
});

describe('LiveConfig', () => {
  it('applies a valid change atomically and emits it with the previous one', () => {
    const { logger } = capture();
    const metrics = createMetrics({ service: 's', instanceId: 's-1', defaultMetrics: false });
    const live = new LiveConfig(serviceConfigSchema(), { logger, metrics: createConfigMetrics(metrics.registry), service: 's' });
    const seen: string[] = [];
    live.on('change', (next, prev) => seen.push(`${prev.value.logLevel}->${next.value.logLevel}@${next.revision}`));
    assert.equal(live.apply({ logLevel: 'debug' }, 7, 'etcd'), true);
    assert.deepEqual(seen, ['info->debug@7']);
    assert.equal(live.current.logLevel, 'debug');
    assert.ok(Object.isFrozen(live.current.faults));
  });

  it('refuses an invalid change: old config stays, error log names key and reason, counter and revision metric tell', async () => {
    const { lines, logger } = capture();
    const metrics = createMetrics({ service: 's', instanceId: 's-1', defaultMetrics: false });
    const live = new LiveConfig(serviceConfigSchema(), { logger, metrics: createConfigMetrics(metrics.registry), service: 's' });
    live.apply({ faults: { latencyMs: 10 } }, 5, 'etcd');
    assert.equal(live.apply({ faults: { latencyMs: -1 } }, 6, 'etcd'), false);
    assert.equal(live.current.faults.latencyMs, 10);
    assert.equal(live.revision, 5);
    const err = lines.find((l) => l.level === 'error');
    assert.equal(err?.obj['config.key'], 'faults.latencyMs');
    assert.match(String(err?.obj['config.reason']), />=0/);
    assert.equal(await metricValue(metrics.registry, METRIC_CONFIG_REFUSED, { reason: 'invalid_config' }), 1);
    assert.equal(await metricValue(metrics.registry, METRIC_CONFIG_REVISION), 5);
    live.refuseDocument(parseDocumentError(), 8);
    assert.equal(await metricValue(metrics.registry, METRIC_CONFIG_REFUSED, { reason: 'invalid_document' }), 1);
  });
});

function parseDocumentError(): ConfigError {
  try {
    parseDocument('{not json');
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error('expected parseDocument to throw');
}

describe('local copy and secrets', () => {
  it('round-trips the last good copy and ignores a corrupt one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brewops-cfg-'));
    const file = join(dir, 'sub', 'copy.json');
    await saveLocalCopy(file, { revision: 12, savedAt: 'now', config: { logLevel: 'warn' } });
    assert.deepEqual(await loadLocalCopy(file), { revision: 12, savedAt: 'now', config: { logLevel: 'warn' } });
    writeFileSync(file, '{');
    assert.equal(await loadLocalCopy(file), null);
  });

  it('resolves secrets from env or file by reference', () => {
    const dir = mkdtempSync(join(tmpdir(), 'brewops-secrets-'));
    writeFileSync(join(dir, 'api.key'), 's3cret\n');
    const r = validateConfig(serviceConfigSchema(), { secrets: { a: { env: 'A_SECRET' }, b: { file: 'api.key' } } });
    assert.ok(r.ok);
    assert.equal(resolveSecret(r.value, 'a', { env: { A_SECRET: 'x' }, dir }), 'x');
    assert.equal(resolveSecret(r.value, 'b', { dir }), 's3cret');
    assert.throws(() => resolveSecret(r.value, 'a', { env: {}, dir }), (e: unknown) => (e as ConfigError).code === 'secret_missing');
  });
});
