import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { prefixRangeEnd, readRegistrations } from '../../src/supervisor/registry.js';

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
