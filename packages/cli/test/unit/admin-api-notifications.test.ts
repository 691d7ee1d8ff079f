import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createAdminServer } from '../../src/supervisor/admin-api.js';
import { NotificationInbox } from '../../src/supervisor/notifications.js';
import type { InstanceControl } from '../../src/supervisor/types.js';

test('Alertmanager notifications are received, logged and listed; a bad payload is a 400', async () => {
  const logged: string[] = [];
  const inbox = new NotificationInbox((l) => logged.push(l));
  const server = createAdminServer({ control: {} as InstanceControl, token: 't', sd: async () => [], notifications: inbox });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const payload = { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'BrewopsInstanceDown', severity: 'critical', instance_id: 'member-1' }, startsAt: '2026-11-23T10:00:00Z' }] };
    const ok = await fetch(`${base}/v1/notifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { received: 1 });
    const list = (await (await fetch(`${base}/v1/notifications`)).json()) as { alerts: Array<{ alertname: string; severity: string }> };
    assert.equal(list.alerts[0]?.alertname, 'BrewopsInstanceDown');
    assert.equal(list.alerts[0]?.severity, 'critical');
    assert.match(logged[0] ?? '', /firing: BrewopsInstanceDown/);
    const bad = await fetch(`${base}/v1/notifications`, { method: 'POST', body: '{"nope":1}' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'invalid_notification');
  } finally {
    server.close();
  }
});
