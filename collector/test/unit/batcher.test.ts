import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BulkBatcher } from '../../src/batcher.js';
import type { IndexDoc } from '../../src/documents.js';

const docs = (n: number, tag: string): IndexDoc[] => Array.from({ length: n }, (_, i) => ({ index: 'i', id: `${tag}${i}`, source: {} }));
const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('documents of several messages share one bulk; each add resolves after that bulk', async () => {
  const bulks: string[][] = [];
  const b = new BulkBatcher(async (d) => { bulks.push(d.map((x) => x.id)); }, { maxDocs: 100, maxDelayMs: 20 });
  await Promise.all([b.add(docs(2, 'a'), []), b.add(docs(3, 'b'), []), b.add([], [])]);
  assert.deepEqual(bulks, [['a0', 'a1', 'b0', 'b1', 'b2']]);
});

test('a full bulk goes at once; a bulk never exceeds maxDocs unless one message alone does', async () => {
  const sizes: number[] = [];
  const b = new BulkBatcher(async (d) => { sizes.push(d.length); }, { maxDocs: 5, maxDelayMs: 10_000, maxInFlight: 1 });
  const t0 = Date.now();
  await Promise.all([b.add(docs(3, 'a'), []), b.add(docs(3, 'b'), []), b.add(docs(7, 'c'), []), b.add(docs(2, 'd'), []), b.add(docs(3, 'e'), [])]);
  assert.ok(Date.now() - t0 < 5000, 'waited for the timer although bulks were full');
  assert.deepEqual(sizes, [3, 3, 7, 5]);
});

test('a failed bulk rejects every message in it, and only those', async () => {
  let calls = 0;
  const b = new BulkBatcher(async () => { calls++; if (calls === 1) throw new Error('closed'); }, { maxDocs: 4, maxDelayMs: 5, maxInFlight: 1 });
  const first = [b.add(docs(2, 'a'), []), b.add(docs(2, 'b'), [])];
  const later = b.add(docs(1, 'c'), []);
  const results = await Promise.allSettled([...first, later]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'fulfilled']);
});

test('at most maxInFlight bulks at a time; waiting messages go as soon as a slot frees', async () => {
  let inFlight = 0;
  let peak = 0;
  const b = new BulkBatcher(async () => { inFlight++; peak = Math.max(peak, inFlight); await tick(20); inFlight--; }, { maxDocs: 1, maxDelayMs: 1, maxInFlight: 2 });
  await Promise.all(Array.from({ length: 6 }, (_, i) => b.add(docs(1, `x${i}`), [])));
  assert.equal(peak, 2);
});
