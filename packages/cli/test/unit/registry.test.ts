import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InstanceInfo } from '@brewops/platform';
import { prefixRangeEnd, readRegistrations, rememberRegistrations, scrapeTargets } from '../../src/supervisor/registry.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

test('prefix range end is the prefix with its last byte incremented', () => {
  assert.equal(prefixRangeEnd('/brewops/services/'), '/brewops/services0');
});

test('reads instance registrations from the etcd JSON gateway, ignoring other keys', async () => {
  let request: { key?: string; range_end?: string } = {};
  const member = { service: 'member', instanceId: 'member-1', host: '127.0.0.1', port: 4100, version: '0.1.0', zone: 'local', registeredAt: '2026-01-01T00:00:00Z' };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      assert.equal(req.url, '/v3/kv/range');
      request = JSON.parse(body) as typeof request;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        kvs: [
          { key: b64('/brewops/services/member/instances/member-1'), value: b64(JSON.stringify(member)) },
          { key: b64('/brewops/services/member/overrides/member-1'), value: b64('OUT_OF_SERVICE') },
          { key: b64('/brewops/services/order/instances/order-1'), value: b64('not json') },
        ],
      }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    assert.deepEqual(await readRegistrations(url), [member]);
    assert.equal(Buffer.from(request.key!, 'base64').toString(), '/brewops/services/');
    assert.equal(Buffer.from(request.range_end!, 'base64').toString(), '/brewops/services0');
  } finally {
    server.close();
  }
});

test('an unreachable etcd is an error, not an empty list', async () => {
  await assert.rejects(readRegistrations('http://127.0.0.1:1', 500));
});

const reg = (service: string, instanceId: string, port: number): InstanceInfo =>
  ({ service, instanceId, host: '127.0.0.1', port, version: '0.1.0', zone: 'local', registeredAt: '2026-01-01T00:00:00Z' });

test('http_sd: a crashed instance stays a (failing) target; one stopped on purpose or a fixture that left does not', () => {
  const last = new Map<string, InstanceInfo>();
  const supervised = new Set(['member-1', 'member-2', 'order-1']);
  // everything registered: remembered; the fixture is not supervised, so not remembered
  rememberRegistrations(last, [reg('member', 'member-1', 4101), reg('member', 'member-2', 4102), reg('order', 'order-1', 4103), reg('gwlb-1a2b', 'gwlb-1a2b-1', 4200)], supervised);
  assert.deepEqual([...last.keys()].sort(), ['member-1', 'member-2', 'order-1']);

  // member-1 was killed (lease expired), order-1 was stopped through the admin API, the fixture left
  const groups = scrapeTargets([reg('member', 'member-2', 4102)], [
    { id: 'member-1', state: 'exited' }, { id: 'member-2', state: 'ready' }, { id: 'order-1', state: 'stopped' },
  ], last);
  assert.deepEqual(groups.map((g) => [g.labels['instance_id'], g.targets[0], g.labels['expected']]), [
    ['member-1', '127.0.0.1:4101', undefined],
    ['member-2', '127.0.0.1:4102', undefined],
  ]);
});

test('http_sd: a registered instance the supervisor does not run is scraped with expected="false"', () => {
  const groups = scrapeTargets([reg('member', 'member-1', 4101), reg('gwlb-1a2b', 'gwlb-1a2b-1', 4200)], [{ id: 'member-1', state: 'ready' }], new Map());
  assert.deepEqual(groups.map((g) => [g.labels['instance_id'], g.labels['expected']]), [['gwlb-1a2b-1', 'false'], ['member-1', undefined]]);
});

test('http_sd: a restarted instance is scraped at its new address only; a scaled-in one is forgotten', () => {
  const last = new Map<string, InstanceInfo>([['member-1', reg('member', 'member-1', 4101)], ['member-3', reg('member', 'member-3', 4103)]]);
  rememberRegistrations(last, [reg('member', 'member-1', 4999)], new Set(['member-1']));
  assert.deepEqual([...last.keys()], ['member-1']);
  const groups = scrapeTargets([reg('member', 'member-1', 4999)], [{ id: 'member-1', state: 'starting' }], last);
  assert.deepEqual(groups.map((g) => g.targets), [['127.0.0.1:4999']]);
});
