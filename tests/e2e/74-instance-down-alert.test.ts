/**
 * Alert delivery on the live stack (issue 7): an instance killed with kill -9 while the
 * controller only records (dry-run, as under `npm test`) makes BrewopsInstanceDown fire in the
 * live Prometheus, Alertmanager delivers it to the controller's webhook with the bearer token
 * (the alert shows in that instance's incident timeline), and the webhook refuses a request
 * without the token. The instance is started again through the supervisor at the end.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readState, supervisorClient } from '@brewops/cli';
import { eventually, urls } from '../support/stack.js';
import { controllerUrl, incidents, setControllerDryRun } from './70-controller-helpers.js';

const supervisor = supervisorClient(readState());
const victimId = 'member-2';

after(async () => {
  await supervisor.start(victimId).catch(() => undefined);
  await eventually(`${victimId} ready again`, async () =>
    ((await supervisor.instances()).find((i) => i.id === victimId)?.state === 'ready' ? true : undefined), 60_000, 200);
});

test('webhook without the bearer token → 401 JSON', async () => {
  const hook = { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'BrewopsInstanceDown', service: 'member', instance_id: victimId } }] };
  for (const authorization of [undefined, 'Bearer not-the-token']) {
    const res = await fetch(`${controllerUrl}/v1/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(hook),
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unauthorized');
  }
});

test('kill -9 → BrewopsInstanceDown fires in Prometheus → Alertmanager delivers it to the controller', async () => {
  await setControllerDryRun(true); // it records; the dead instance stays dead until the alert fired
  const victim = (await supervisor.instances()).find((i) => i.id === victimId && i.state === 'ready');
  assert.ok(victim?.pid, `${victimId} is not ready`);
  const t0 = Date.now();
  process.kill(victim.pid, 'SIGKILL');

  const firedAfter = await eventually('BrewopsInstanceDown firing in Prometheus', async () => {
    const body = (await (await fetch(`${urls.prometheus()}/api/v1/alerts`)).json()) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } };
    return body.data.alerts.some((a) => a.labels['alertname'] === 'BrewopsInstanceDown' && a.labels['instance_id'] === victimId && a.state === 'firing')
      ? Date.now() - t0 : undefined;
  }, 90_000, 500);

  const deliveredAfter = await eventually('the alert in the controller\'s incident of the instance', async () => {
    const inc = (await incidents()).incidents.find((i) => i.instanceId === victimId && Date.parse(i.openedAt) >= t0 - 1000);
    return inc?.timeline.some((t) => t.type === 'alert' && t.detail === 'BrewopsInstanceDown firing') ? Date.now() - t0 : undefined;
  }, 60_000, 200);

  console.log(`  ${victimId} killed: BrewopsInstanceDown firing in Prometheus after ${firedAfter} ms (for: 15s, 5 s scrape/eval), ` +
    `delivered to the controller webhook after ${deliveredAfter} ms`);
});
