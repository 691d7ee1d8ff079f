/**
 * Bad input at the edge gets a clear JSON error, never a crash or a raw echo into the logs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually, urls } from '../support/stack.js';
import { searchLogs, searchLogsText } from '../support/backends.js';
import { gatewayFetch } from '../support/gateway-auth.js';

async function errorOf(res: Response): Promise<{ code: string }> {
  assert.match(res.headers.get('content-type') ?? '', /application\/json/, `status ${res.status} without a JSON body`);
  const body = (await res.json()) as { error?: { code?: string } };
  assert.ok(body.error?.code, `error body without a code: ${JSON.stringify(body)}`);
  return { code: body.error.code };
}

test('malformed JSON → 400 with a code', async () => {
  const res = await gatewayFetch(`${urls.gateway()}/api/order/v1/orders`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"items": [',
  });
  assert.equal(res.status, 400);
  assert.equal((await errorOf(res)).code, 'invalid_json');
});

test('invalid order field → 400 naming the field', async () => {
  const res = await gatewayFetch(`${urls.gateway()}/api/order/v1/orders`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: [{ sku: 'espresso', quantity: 0 }] }),
  });
  assert.equal(res.status, 400);
  const body = (await res.json()) as { error: { code: string; details?: { field?: string } } };
  assert.equal(body.error.code, 'invalid_order');
  assert.equal(body.error.details?.field, 'items.0.quantity');
});

test('unknown route and unknown service → 404 JSON', async () => {
  const a = await gatewayFetch(`${urls.gateway()}/nope`);
  assert.equal(a.status, 404);
  await errorOf(a);
  const b = await gatewayFetch(`${urls.gateway()}/api/warehouse/v1/things`);
  assert.equal(b.status, 404);
  assert.equal((await errorOf(b)).code, 'unknown_service');
  const c = await gatewayFetch(`${urls.gateway()}/api/order/v1/nothing-here`);
  assert.equal(c.status, 404);
  await errorOf(c);
});

test('internal endpoints of a service are not reachable through the gateway', async () => {
  for (const path of ['/api/order/metrics', '/api/member/health/ready', '/api/order/v1/../metrics', '/api/order/%2e%2e/metrics']) {
    const res = await gatewayFetch(`${urls.gateway()}${path}`);
    assert.equal(res.status, 404, `${path} answered ${res.status}`);
  }
});

test('body over the limit → 413 JSON', async () => {
  const big = JSON.stringify({ items: [{ sku: 'x'.repeat(200_000), quantity: 1 }] });
  const res = await gatewayFetch(`${urls.gateway()}/api/order/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
  assert.equal(res.status, 413);
  assert.equal((await errorOf(res)).code, 'payload_too_large');
});

test('invalid correlation ID → replaced, and never logged raw', async () => {
  const marker = `BADCID${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const invalid = `${marker} <script>`;
  const res = await gatewayFetch(`${urls.gateway()}/api/member/v1/members/m-200`, { headers: { 'x-correlation-id': invalid } });
  assert.equal(res.status, 200);
  const replaced = res.headers.get('x-correlation-id') ?? '';
  assert.notEqual(replaced, invalid);
  assert.match(replaced, /^[A-Za-z0-9._-]{1,64}$/);
  // The request is logged under the replacement ID; the raw value appears nowhere.
  await eventually('logs of the request under the new correlation ID', async () => {
    const docs = await searchLogs('correlation.id', replaced);
    return docs.length > 0 ? docs : undefined;
  }, 45_000, 1000);
  assert.equal(await searchLogsText(marker), 0, 'the invalid correlation ID was logged raw');
});

test('the live gateway refuses /api calls without credentials (401 JSON), keeps the menu public', async () => {
  const none = await fetch(`${urls.gateway()}/api/member/v1/members/m-100`);
  assert.equal(none.status, 401);
  assert.ok((await errorOf(none)).code, 'no error code');
  const wrong = await fetch(`${urls.gateway()}/api/member/v1/members/m-100`, { headers: { 'x-api-key': 'not-a-key' } });
  assert.equal(wrong.status, 401);
  await errorOf(wrong);
  const menu = await fetch(`${urls.gateway()}/api/order/v1/menu`);
  assert.equal(menu.status, 200, 'the menu should be public');
});
