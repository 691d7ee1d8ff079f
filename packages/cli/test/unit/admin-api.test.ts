import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdminServer } from '../../src/supervisor/admin-api.js';
import { AdminError, type InstanceControl, type InstanceView } from '../../src/supervisor/types.js';

const TOKEN = 'a'.repeat(64);

function view(id: string, state: InstanceView['state'] = 'ready'): InstanceView {
  return {
    id, service: id.split('-')[0]!, pid: 100, state, port: 4000, url: 'http://127.0.0.1:4000',
    startedAt: new Date(0).toISOString(), restarts: 0, exit: null, detail: state, log: `/logs/${id}.log`,
  };
}

/** A fake instance table that records what the API asked of it. */
const calls: string[] = [];
const control: InstanceControl = {
  list: () => ({ instances: [view('member-1'), view('order-1', 'starting')], skipped: [{ service: 'status', reason: 'not built' }] }),
  restart: async (id) => {
    calls.push(`restart ${id}`);
    if (id !== 'member-1') throw new AdminError(404, 'unknown_instance', `no instance "${id}"`);
    return view(id, 'starting');
  },
  stop: async (id) => (calls.push(`stop ${id}`), view(id, 'stopped')),
  start: async (id) => (calls.push(`start ${id}`), view(id, 'starting')),
  scale: async (service, replicas) => (calls.push(`scale ${service} ${replicas}`), [view(`${service}-1`)]),
};
let sdFails = false;
let server: Server;
let base: string;

before(async () => {
  server = createAdminServer({
    control,
    token: TOKEN,
    sd: async () => {
      if (sdFails) throw new Error('etcd down');
      return [{ targets: ['127.0.0.1:4000'], labels: { job: 'member' } }];
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

async function call(method: string, path: string, opts: { token?: string; body?: string } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token !== undefined) headers['authorization'] = `Bearer ${opts.token}`;
  const res = await fetch(`${base}${path}`, { method, headers, ...(opts.body !== undefined ? { body: opts.body } : {}) });
  return { status: res.status, body: await res.json() };
}

test('reads need no token', async () => {
  const list = await call('GET', '/v1/instances');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.instances.map((i: InstanceView) => i.id), ['member-1', 'order-1']);
  assert.deepEqual(list.body.skipped, [{ service: 'status', reason: 'not built' }]);
  const sd = await call('GET', '/sd/prometheus');
  assert.equal(sd.status, 200);
  assert.deepEqual(sd.body, [{ targets: ['127.0.0.1:4000'], labels: { job: 'member' } }]);
});

test('every mutation without the right token is 401 and reaches nothing', async () => {
  calls.length = 0;
  for (const path of ['/v1/instances/member-1/restart', '/v1/instances/member-1/stop', '/v1/instances/member-1/start', '/v1/services/member/scale']) {
    for (const token of [undefined, 'wrong', `${TOKEN}x`, '']) {
      const r = await call('POST', path, { ...(token !== undefined ? { token } : {}), body: '{"replicas":1}' });
      assert.equal(r.status, 401, `${path} with ${token ?? 'no token'}`);
      assert.equal(r.body.error.code, 'unauthorized');
    }
  }
  assert.deepEqual(calls, []);
});

test('with the token, mutations reach the instance table', async () => {
  calls.length = 0;
  assert.equal((await call('POST', '/v1/instances/member-1/restart', { token: TOKEN })).body.state, 'starting');
  assert.equal((await call('POST', '/v1/instances/member-1/stop', { token: TOKEN })).body.state, 'stopped');
  assert.equal((await call('POST', '/v1/instances/member-1/start', { token: TOKEN })).status, 200);
  const scaled = await call('POST', '/v1/services/member/scale', { token: TOKEN, body: '{"replicas":3}' });
  assert.equal(scaled.status, 200);
  assert.equal(scaled.body.replicas, 3);
  assert.deepEqual(calls, ['restart member-1', 'stop member-1', 'start member-1', 'scale member 3']);
});

test('bad input is 400 with a code, before anything is done', async () => {
  calls.length = 0;
  const cases: Array<[string, string, string | undefined, string]> = [
    ['/v1/services/member/scale', '{"replicas":-1}', undefined, 'invalid_replicas'],
    ['/v1/services/member/scale', '{"replicas":"2"}', undefined, 'invalid_replicas'],
    ['/v1/services/member/scale', '{"replicas":2.5}', undefined, 'invalid_replicas'],
    ['/v1/services/member/scale', '{}', undefined, 'invalid_replicas'],
    ['/v1/services/member/scale', '{not json', undefined, 'invalid_json'],
    ['/v1/instances/Member_1/restart', '{}', undefined, 'invalid_instance_id'],
    ['/v1/services/..%2Fetc/scale', '{"replicas":1}', undefined, 'invalid_service'],
  ];
  for (const [path, body, , code] of cases) {
    const r = await call('POST', path, { token: TOKEN, body });
    assert.equal(r.status, 400, `${path} ${body}`);
    assert.equal(r.body.error.code, code, `${path} ${body}`);
  }
  assert.deepEqual(calls, []);
});

test('unknown instance is 404, unknown route 404, wrong method 405, registry down 503', async () => {
  const unknown = await call('POST', '/v1/instances/member-9/restart', { token: TOKEN });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'unknown_instance');
  assert.equal((await call('GET', '/nope')).status, 404);
  assert.equal((await call('GET', '/v1/instances/member-1/restart')).status, 405);
  sdFails = true;
  try {
    const sd = await call('GET', '/sd/prometheus');
    assert.equal(sd.status, 503);
    assert.equal(sd.body.error.code, 'registry_unavailable');
  } finally {
    sdFails = false;
  }
});
