import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEvent } from '@brewops/contracts';
import { openDatabase, OutboxStore, ProcessedMessages } from '@brewops/platform';
import { BARISTA_MIGRATIONS } from '../../src/db/schema.js';
import { BarRepo } from '../../src/db/bar-repo.js';
import { decideBrew } from '../../src/handlers/brew.js';
import { BaristaService } from '../../src/handlers/barista-service.js';

const paid = (orderId: string, items: Array<{ sku: string; quantity: number }>) => createEvent('payment.succeeded', {
  orderId, paymentId: `p-${orderId}`, amountCents: 100, items: items.map((i) => ({ ...i, unitPriceCents: 100 })),
});

test('brew takes every line; one missing SKU rejects the whole order', () => {
  const stock: Record<string, number> = { a: 3, b: 1 };
  const of = (s: string) => stock[s] ?? 0;
  const ok = decideBrew([{ sku: 'a', quantity: 2 }, { sku: 'b', quantity: 1 }], of);
  assert.equal(ok.kind, 'brew');
  assert.deepEqual(decideBrew([{ sku: 'a', quantity: 2 }, { sku: 'a', quantity: 2 }], of), { kind: 'reject', sku: 'a' });
  assert.deepEqual(decideBrew([{ sku: 'c', quantity: 1 }], of), { kind: 'reject', sku: 'c' });
});

test('payment.succeeded twice brews once; out of stock is rejected and takes nothing', async () => {
  const db = openDatabase({ file: ':memory:', migrations: BARISTA_MIGRATIONS });
  const repo = new BarRepo(db);
  const outbox = new OutboxStore(db);
  const service = new BaristaService(repo, outbox, new ProcessedMessages(db), 0, undefined, () => undefined);
  const before = repo.stockOf('flat-white');
  const e = paid('o-1', [{ sku: 'flat-white', quantity: 2 }]);
  assert.equal(await service.apply(e), 'ready');
  assert.equal(await service.apply(e), 'duplicate');
  assert.equal(repo.stockOf('flat-white'), before - 2);
  assert.equal(await service.apply(paid('o-2', [{ sku: 'flat-white', quantity: 1 }, { sku: 'cold-brew', quantity: 1 }])), 'rejected');
  assert.equal(repo.stockOf('flat-white'), before - 2, 'a rejected order must not take stock');
  assert.equal(repo.brew('o-2')?.reason, 'out_of_stock');
  const events = outbox.pending(10).map((r) => JSON.parse(r.body) as { type: string; payload: { sku?: string } });
  assert.deepEqual(events.map((x) => x.type), ['coffee.ready', 'coffee.rejected']);
  assert.equal(events[1]!.payload.sku, 'cold-brew');
});
