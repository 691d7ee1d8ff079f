import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRoute } from '../../src/handlers/route-table.js';

test('public service paths are proxied with their query', () => {
  assert.deepEqual(decideRoute('order', 'v1/orders', ''), { kind: 'proxy', service: 'order', path: '/v1/orders' });
  assert.deepEqual(decideRoute('member', 'v1/members/m-1', 'x=1'), { kind: 'proxy', service: 'member', path: '/v1/members/m-1?x=1' });
});

test('unknown services are refused, not proxied', () => {
  assert.deepEqual(decideRoute('controller', 'v1/incidents', ''), { kind: 'unknown_service', service: 'controller' });
});

test('internal paths stay internal, also behind dot segments and encodings', () => {
  for (const rest of ['metrics', 'health/ready', 'v1/../metrics', '%2e%2e/metrics', 'v1/%2E%2E/health/live', 'admin/x', './metrics']) {
    assert.deepEqual(decideRoute('order', rest, ''), { kind: 'internal' }, rest);
  }
});

test('dot segments cannot climb above the service root', () => {
  assert.deepEqual(decideRoute('order', '../../v1/menu', ''), { kind: 'proxy', service: 'order', path: '/v1/menu' });
});
