/**
 * Telemetry failures never break business requests: with Zipkin stopped, orders still succeed
 * at the same error rate, and no request waits on the exporter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, stopBackend } from '@brewops/cli';
import { urls } from '../support/stack.js';
import { gatewayFetch } from '../support/gateway-auth.js';

async function placeOrders(n: number): Promise<{ ok: number; failed: number; p50: number; max: number }> {
  let ok = 0;
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await gatewayFetch(`${urls.gateway()}/api/order/v1/orders`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ memberId: 'm-300', items: [{ sku: 'espresso', quantity: 1 }] }),
    });
    await res.arrayBuffer();
    times.push(performance.now() - t0);
    if (res.status === 201) ok++;
  }
  times.sort((a, b) => a - b);
  return { ok, failed: n - ok, p50: times[Math.floor(n / 2)]!, max: times[n - 1]! };
}

test('Zipkin stopped: orders still succeed, error rate unchanged', async () => {
  const before = await placeOrders(30);
  await stopBackend('zipkin');
  try {
    const res = await fetch(`${urls.zipkin()}/health`).catch(() => undefined);
    assert.equal(res, undefined, 'Zipkin still answers after stopBackend');
    const during = await placeOrders(60);
    console.log(`  Zipkin up:   ${before.ok}/${before.ok + before.failed} ok, p50 ${before.p50.toFixed(1)} ms`);
    console.log(`  Zipkin down: ${during.ok}/${during.ok + during.failed} ok, p50 ${during.p50.toFixed(1)} ms, max ${during.max.toFixed(1)} ms`);
    assert.equal(before.failed, 0, 'orders failed even with Zipkin up');
    assert.equal(during.failed, 0, 'orders failed while Zipkin was down');
  } finally {
    await startBackend('zipkin');
  }
});
