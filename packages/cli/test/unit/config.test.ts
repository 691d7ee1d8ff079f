import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { serviceConfigSchema, z } from '@brewops/platform';
import { parseCli } from '../../src/cli-args.js';
import { changedKeys } from '../../src/commands/config-history.js';
import { effectiveEntries } from '../../src/commands/config-get.js';
import { formatIssues, planPush } from '../../src/commands/config-validate.js';
import type { ServiceSchema } from '../../src/commands/config-schemas.js';

const schemas: ServiceSchema[] = [
  { service: 'member', schema: serviceConfigSchema({ cacheMaxAgeSeconds: z.number().int().min(0).default(0) }), module: null },
  { service: 'order', schema: serviceConfigSchema(), module: null },
];

function tree(files: Record<string, string>): { root: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'brewops-config-'));
  const dir = join(root, 'config');
  const all = { 'env/dev.yaml': 'logLevel: info\n', 'env/test.yaml': '', ...files };
  for (const [name, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { root, dir };
}

describe('config push planning', () => {
  it('merges base < env < service < service.env and records each key’s layer', () => {
    const { root, dir } = tree({
      'base.yaml': 'logLevel: warn\nfaults:\n  latencyMs: 5\n',
      'env/test.yaml': 'logLevel: debug\n',
      'services/member.yaml': 'faults:\n  errorRatio: 0.5\ncacheMaxAgeSeconds: 30\n',
      'services/member.test.yaml': 'cacheMaxAgeSeconds: 60\n',
    });
    const plan = planPush(root, dir, 'test', schemas);
    assert.deepEqual(plan.issues, []);
    const member = plan.documents.find((d) => d.service === 'member')!;
    assert.deepEqual(member.config, { logLevel: 'debug', faults: { latencyMs: 5, errorRatio: 0.5 }, cacheMaxAgeSeconds: 60 });
    assert.deepEqual(member.sources, {
      logLevel: 'config/env/test.yaml',
      'faults.latencyMs': 'config/base.yaml',
      'faults.errorRatio': 'config/services/member.yaml',
      cacheMaxAgeSeconds: 'config/services/member.test.yaml',
    });
    const order = plan.documents.find((d) => d.service === 'order')!;
    assert.equal(order.config['cacheMaxAgeSeconds'], undefined);
  });

  it('refuses the whole push naming file:line, key and reason for each kind of mistake', () => {
    const { root, dir } = tree({
      'base.yaml': 'logLevel: 7\n',
      'services/member.yaml': 'faults:\n  errorRatio: 1.5\n  colour: red\n',
      'services/order.yaml': 'upstreams:\n  member:\n    breaker:\n      consecutiveFailures: 0\n',
      'env/dev.yaml': 'logLevel: [oops\n',
    });
    const plan = planPush(root, dir, 'dev', schemas);
    const text = formatIssues(plan.issues);
    assert.match(text, /config\/base\.yaml:1: logLevel: Invalid option.* \[member, order\]/);
    assert.match(text, /config\/services\/member\.yaml:2: faults\.errorRatio: Too big/);
    assert.match(text, /config\/services\/member\.yaml:3: faults\.colour: unknown key/);
    assert.match(text, /config\/services\/order\.yaml:4: upstreams\.member\.breaker\.consecutiveFailures: Too small/);
    assert.match(text, /config\/env\/dev\.yaml:\d+: \(yaml\): Flow sequence/);
  });

  it('refuses plain secrets, unknown services and unknown environments', () => {
    const { root, dir } = tree({ 'services/member.yaml': 'jwtSecret: hunter2\n', 'services/ghost.yaml': 'logLevel: info\n' });
    const text = formatIssues(planPush(root, dir, 'dev', schemas).issues);
    assert.match(text, /member\.yaml:1: jwtSecret: looks like a secret/);
    assert.match(text, /ghost\.yaml: \(file\): no service "ghost"/);
    assert.match(formatIssues(planPush(root, dir, 'staging', schemas).issues), /no such environment/);
  });
});

describe('config get and history', () => {
  it('lists effective keys with their layer; secrets show only the reference', () => {
    const entries = effectiveEntries(
      { logLevel: 'info', faults: { errorRatio: 0 }, secrets: { jwt: { env: 'JWT' } } },
      { logLevel: 'config/base.yaml', 'secrets.jwt.env': 'config/services/gateway.yaml' },
    );
    assert.deepEqual(entries, [
      { key: 'logLevel', value: 'info', source: 'config/base.yaml' },
      { key: 'faults.errorRatio', value: 0, source: 'default' },
      { key: 'secrets.jwt', value: { env: 'JWT' }, source: 'config/services/gateway.yaml' },
    ]);
  });

  it('names the keys a version changed', () => {
    assert.deepEqual(changedKeys({ logLevel: 'debug', faults: { errorRatio: 1 } }, { logLevel: 'info', faults: { errorRatio: 1 }, replicas: 2 }), ['logLevel', 'replicas']);
  });

  it('parses the config command line', () => {
    assert.deepEqual(parseCli(['config', 'push', '--env', 'test']), { command: 'config', action: 'push', env: 'test', dir: null });
    assert.deepEqual(parseCli(['config', 'get', 'member', '--json']), { command: 'config', action: 'get', service: 'member', json: true });
    assert.deepEqual(parseCli(['config', 'rollback', 'member', '42']), { command: 'config', action: 'rollback', service: 'member', revision: 42 });
    assert.throws(() => parseCli(['config', 'rollback', 'member', 'latest']), /needs a revision number/);
    assert.throws(() => parseCli(['config', 'frobnicate']), /unknown action/);
  });
});
