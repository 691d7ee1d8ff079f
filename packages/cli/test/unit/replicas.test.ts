import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReplicaSpec, resolveReplicas } from '../../src/replicas.js';

test('no spec gives the defaults', () => {
  assert.deepEqual(parseReplicaSpec(undefined), { collector: 1, member: 2, status: 1, payment: 1, barista: 1, order: 1, gateway: 1, controller: 1 });
});

test('a spec overrides only the services it names, spaces allowed', () => {
  assert.deepEqual(parseReplicaSpec('member=3, order = 0'), { collector: 1, member: 3, status: 1, payment: 1, barista: 1, order: 0, gateway: 1, controller: 1 });
});

test('rejects unknown services, bad counts, duplicates and malformed parts', () => {
  const cases: Array<[string, RegExp]> = [
    ['coffee=2', /unknown service "coffee"/],
    ['member=-1', /integer 0-20/],
    ['member=1.5', /integer 0-20/],
    ['member=21', /integer 0-20/],
    ['member=2,member=3', /given twice/],
    ['member', /not <service>=<count>/],
    ['member=2,', /"" is not <service>=<count>/],
    ['', /--replicas needs/],
  ];
  for (const [spec, message] of cases) {
    assert.throws(() => parseReplicaSpec(spec), (err: Error) => message.test(err.message), spec);
  }
});

test('up: --replicas wins, then replicas from config, then the defaults; the decided ones are named', () => {
  const flags = parseReplicaSpec('order=2');
  const r = resolveReplicas(flags, ['order'], { member: 3, order: 1, gateway: 1, unknown: 4 });
  assert.equal(r.replicas.order, 2, 'the flag wins over config');
  assert.equal(r.replicas.member, 3, 'config over the default of 2');
  assert.equal(r.replicas.status, 1, 'no config: the default');
  assert.deepEqual(r.decided.sort(), ['gateway', 'member', 'order']);
  assert.equal(resolveReplicas(parseReplicaSpec(undefined), [], { member: 99 }).replicas.member, 20, 'capped at 20');
});
