/**
 * CQRS: the status read model is built only from events, so it can be rebuilt from the event
 * archive (the collector indexes every domain event) and come out the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, getJson, root, urls } from '../support/stack.js';
import { placeOrder, readStatusStream } from './40-saga-helpers.js';

test('the read model rebuilt from the event archive matches the live one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'brewops-e2e-rebuild-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const placed = await placeOrder({ items: [{ sku: 'cold-brew', quantity: 1 }] });
  assert.equal(placed.status, 201);
  const orderId = placed.body.orderId;
  await readStatusStream(orderId);
  const live = await getJson<{ status: string; history: Array<{ status: string; eventId: string }> }>(`${urls.gateway()}/api/status/v1/orders/${orderId}/status`);
  await eventually('the order\'s events in the archive', async () => {
    const r = await getJson<{ count: number }>(`${urls.search()}/events-brewops-*/_count?q=payload.orderId:${orderId}`);
    return r.count >= live.history.length ? r : undefined;
  }, 45_000, 1000);

  const file = join(dir, 'status.db');
  const r = spawnSync(process.execPath, [join(root, 'services', 'status', 'dist', 'src', 'rebuild.js'), file, '--search', urls.search(), '--order', orderId], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const rebuilt = JSON.parse(r.stdout) as { applied: number; invalid: number; order: { status: string; history: Array<{ eventId: string }> } | null };
  assert.deepEqual([rebuilt.applied, rebuilt.invalid], [live.history.length, 0]);
  assert.equal(rebuilt.order?.status, live.status);
  assert.deepEqual(rebuilt.order.history.map((h) => h.eventId).sort(), live.history.map((h) => h.eventId).sort());
});
