import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readPorts } from '../../src/ports.js';

test('ports default to upstream values and follow env overrides', () => {
  const d = readPorts({});
  assert.equal(d.etcdClient, 2379);
  assert.equal(d.opensearch, 9200);
  assert.equal(d.supervisor, 9500);
  assert.equal(d.gateway, 8080);
  const o = readPorts({ BREWOPS_ETCD_PORT: '12379', BREWOPS_SUPERVISOR_PORT: '9600' });
  assert.equal(o.etcdClient, 12379);
  assert.equal(o.supervisor, 9600);
});

test('a malformed port override is a usage error naming the variable', () => {
  for (const bad of ['abc', '0', '70000', '12.5', '-1']) {
    assert.throws(() => readPorts({ BREWOPS_ZIPKIN_PORT: bad }), (e: Error) => e.message.includes('BREWOPS_ZIPKIN_PORT'), bad);
  }
});
