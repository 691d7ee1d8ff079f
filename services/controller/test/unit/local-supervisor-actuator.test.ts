import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isControllerError } from '../../src/errors.js';
import { LocalSupervisorActuator } from '../../src/local-supervisor-actuator.js';

const dir = mkdtempSync(join(tmpdir(), 'brewops-ctl-unit-'));
const tokenFile = join(dir, 'admin-token');
const calls: string[] = [];
let server: Server;
let url = '';

before(async () => {
  writeFileSync(tokenFile, 'secret-token\n');
  server = createServer((req, res) => {
    calls.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    const send = (status: number, body: unknown): void => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
    if (req.method === 'GET') return send(200, { instances: [{ id: 'member-1', state: 'exited' }, { id: 'member-2', state: 'stopped' }, { id: 'order-1', state: 'ready' }], skipped: [] });
    if (req.url === '/v1/instances/order-1/restart') return send(500, { error: { code: 'internal', message: 'boom' } });
    return send(200, { id: 'member-1', state: 'starting' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isControllerError(e) ? e.code : `untyped: ${String(e)}`;
  }
}

describe('LocalSupervisorActuator', () => {
  it('restarts through the admin API with the bearer token from the file', async () => {
    const a = new LocalSupervisorActuator({ url, tokenFile });
    await a.restart({ service: 'member', instanceId: 'member-1' });
    assert.equal(calls.at(-1), 'POST /v1/instances/member-1/restart Bearer secret-token');
  });

  it('refuses to bring back what was stopped or removed on purpose, and types every failure', async () => {
    const a = new LocalSupervisorActuator({ url, tokenFile });
    assert.equal(await code(a.restart({ service: 'member', instanceId: 'member-2' })), 'stopped_on_purpose');
    assert.equal(await code(a.restart({ service: 'member', instanceId: 'member-9' })), 'unknown_instance');
    assert.equal(await code(a.restart({ service: 'order', instanceId: 'order-1' })), 'actuator_refused');
    assert.equal(await code(new LocalSupervisorActuator({ url, tokenFile: join(dir, 'nope') }).restart({ service: 'member', instanceId: 'member-1' })), 'token_missing');
    assert.equal(await code(new LocalSupervisorActuator({ url: 'http://127.0.0.1:9', tokenFile, timeoutMs: 500 }).restart({ service: 'member', instanceId: 'member-1' })), 'actuator_unreachable');
  });
});
