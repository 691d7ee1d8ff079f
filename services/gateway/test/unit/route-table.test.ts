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

test('internal paths are matched whatever their case (upstream routers ignore case)', () => {
  for (const rest of ['METRICS', 'Health/ready', 'v1/../Admin/x', '%2e%2e/Internal']) {
    assert.deepEqual(decideRoute('order', rest, ''), { kind: 'internal' }, rest);
  }
});

test('plain paths go through unchanged; anything else is decoded, normalised and re-encoded', () => {
  const cases: Array<[string, string]> = [
    ['v1/members/m-100', '/v1/members/m-100'],
    ['v1/file.json', '/v1/file.json'],
    ['v1/...', '/v1/...'],
    ['v1/.hidden/x', '/v1/.hidden/x'],
    ['v1/orders/', '/v1/orders'],
    ['v1//orders', '/v1/orders'],
    ['v1/./orders', '/v1/orders'],
    ['v1/a%20b', '/v1/a%20b'],
    ['v1/a%2Fb', '/v1/a/b'],
    ['v1/caf%C3%A9', '/v1/caf%C3%A9'],
    ['v1/a!b', '/v1/a!b'],
    ['', '/'],
  ];
  for (const [rest, path] of cases) {
    assert.deepEqual(decideRoute('order', rest, ''), { kind: 'proxy', service: 'order', path }, rest);
  }
});
