import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { LogShipper } from '../../src/log/index.js';
import { METRIC_LOG_LINES_DROPPED, METRIC_LOG_LINES_SHIPPED } from '../../src/semconv.js';

const lines = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `{"n":${from + i}}`);

async function until(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

async function counterValue(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  const data = await metric?.get();
  return data?.values[0]?.value ?? 0;
}

describe('LogShipper', () => {
  it('ships full batches at once and bounds their size', async () => {
    const batches: string[][] = [];
    const shipper = new LogShipper({ maxBatchLines: 3, maxDelayMs: 60_000 });
    shipper.attach(async (b) => void batches.push(b));
    for (const l of lines(7)) shipper.write(`${l}\n`);
    await until(() => batches.length === 2);
    assert.deepEqual(batches, [lines(3), lines(3, 3)]);
    assert.equal(shipper.buffered, 1, 'a partial batch waits for its time');
    await shipper.flush(1000);
    assert.deepEqual(batches[2], lines(1, 6));
  });

  it('ships a partial batch after maxDelayMs', async () => {
    const batches: Array<{ at: number; lines: string[] }> = [];
    const shipper = new LogShipper({ maxBatchLines: 100, maxDelayMs: 80 });
    shipper.attach(async (b) => void batches.push({ at: Date.now(), lines: b }));
    const start = Date.now();
    shipper.write('a\n');
    shipper.write('b\n');
    await sleep(30);
    assert.equal(batches.length, 0, 'not shipped before the delay');
    await until(() => batches.length === 1);
    assert.deepEqual(batches[0]?.lines, ['a', 'b']);
    assert.ok((batches[0]?.at ?? 0) - start >= 70, 'shipped after the delay');
  });

  it('buffers while detached; on overflow drops the OLDEST and counts them', async () => {
    const registry = new Registry();
    const shipper = new LogShipper({ maxBufferedLines: 5, maxDelayMs: 1, registry });
    for (const l of lines(8)) shipper.write(l);
    assert.equal(shipper.dropped, 3);
    assert.equal(shipper.buffered, 5);
    assert.equal(await counterValue(registry, METRIC_LOG_LINES_DROPPED), 3);
    const shipped: string[] = [];
    shipper.attach(async (b) => void shipped.push(...b));
    await shipper.flush(1000);
    assert.deepEqual(shipped, lines(5, 3), 'the newest 5 survive, in order');
    assert.equal(await counterValue(registry, METRIC_LOG_LINES_SHIPPED), 5);
  });

  it('retries a failed batch from the head with backoff, in order, without loss', async () => {
    let calls = 0;
    const attempts: string[][] = [];
    const errors: unknown[] = [];
    const shipper = new LogShipper({ maxBatchLines: 2, maxDelayMs: 1, retryDelayMs: 20, onError: (e) => errors.push(e) });
    shipper.attach(async (b) => {
      attempts.push(b);
      calls++;
      if (calls <= 2) throw new Error('broker down');
    });
    for (const l of lines(4)) shipper.write(l);
    await until(() => shipper.shipped === 4, 3000);
    assert.deepEqual(attempts.slice(0, 3), [lines(2), lines(2), lines(2)], 'the failed batch is retried first');
    assert.deepEqual(attempts.slice(2).flat(), lines(4), 'everything shipped once the broker recovered');
    assert.equal(errors.length, 2);
    assert.equal(shipper.lastError, undefined);
  });

  it('treats a synchronous throw and a hanging publish as failures, never throwing to the writer', async () => {
    let mode: 'throw' | 'hang' | 'ok' = 'throw';
    const shipped: string[] = [];
    const shipper = new LogShipper({ maxDelayMs: 1, retryDelayMs: 10, publishTimeoutMs: 50 });
    shipper.attach((b) => {
      if (mode === 'throw') {
        mode = 'hang';
        throw new Error('sync failure');
      }
      if (mode === 'hang') {
        mode = 'ok';
        return new Promise<void>(() => {});
      }
      shipped.push(...b);
      return Promise.resolve();
    });
    assert.doesNotThrow(() => shipper.write('x'));
    await until(() => shipped.length === 1, 3000);
    assert.deepEqual(shipped, ['x']);
  });

  it('loses nothing and keeps order when publish fails half the time under load', async () => {
    const shipped: string[] = [];
    const shipper = new LogShipper({ maxBatchLines: 50, maxDelayMs: 2, retryDelayMs: 1, maxRetryDelayMs: 5 });
    let i = 0;
    shipper.attach(async (b) => {
      await sleep(0);
      if (i++ % 2 === 0) throw new Error('flaky');
      shipped.push(...b);
    });
    for (let n = 0; n < 1000; n++) {
      shipper.write(`{"n":${n}}`);
      if (n % 100 === 0) await sleep(1);
    }
    await until(() => shipped.length === 1000, 5000);
    assert.deepEqual(shipped, lines(1000));
    assert.equal(shipper.dropped, 0);
  });

  it('keeps lines across detach and re-attach (broker reconnect)', async () => {
    const first: string[] = [];
    const second: string[] = [];
    const shipper = new LogShipper({ maxDelayMs: 1 });
    shipper.attach(async (b) => void first.push(...b));
    shipper.write('a');
    await shipper.flush(500);
    shipper.detach();
    shipper.write('b');
    shipper.write('c');
    await sleep(20);
    assert.equal(shipper.buffered, 2);
    shipper.attach(async (b) => void second.push(...b));
    await shipper.flush(500);
    assert.deepEqual(first, ['a']);
    assert.deepEqual(second, ['b', 'c']);
  });

  it('flush returns within its timeout when publishing keeps failing, and at once when detached', async () => {
    const shipper = new LogShipper({ maxDelayMs: 1, retryDelayMs: 10 });
    shipper.write('a');
    let t0 = Date.now();
    await shipper.flush(2000);
    assert.ok(Date.now() - t0 < 50, 'detached: nothing to wait for');
    shipper.attach(async () => {
      throw new Error('down');
    });
    t0 = Date.now();
    await shipper.flush(150);
    const took = Date.now() - t0;
    assert.ok(took >= 140 && took < 500, `flush took ${took} ms`);
    assert.equal(shipper.shipped, 0);
    shipper.detach();
  });

  it('write is cheap: 100k lines while detached take well under a second and keep the bound', () => {
    const shipper = new LogShipper({ maxBufferedLines: 10_000 });
    const t0 = performance.now();
    for (let n = 0; n < 100_000; n++) shipper.write('{"message":"x"}\n');
    const ms = performance.now() - t0;
    assert.equal(shipper.buffered, 10_000);
    assert.equal(shipper.dropped, 90_000);
    assert.ok(ms < 1000, `100k writes took ${ms.toFixed(0)} ms`);
  });
});
