import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../src/sqlite/index.js';
import { OutboxStore, ProcessedMessages } from '../../src/reliable/index.js';

test('outbox: markSent marks exactly the given rows, in one statement, however many', () => {
  const db = openDatabase({ file: ':memory:' });
  const outbox = new OutboxStore(db);
  for (let i = 0; i < 1200; i++) outbox.add({ messageId: `m-${i}`, routingKey: 'order.placed', body: { i }, correlationId: i === 0 ? 'c-0' : undefined });
  const first = outbox.pending(1000);
  assert.equal(first.length, 1000);
  assert.deepEqual(first[0], { id: first[0]!.id, messageId: 'm-0', routingKey: 'order.placed', body: '{"i":0}', carrier: {}, correlationId: 'c-0' });
  const sent = first.filter((_, i) => i % 3 !== 1).map((r) => r.id); // leave every third unconfirmed
  outbox.markSent(sent, 5000);
  assert.equal(outbox.pendingCount(), 1200 - sent.length);
  const next = outbox.pending(2000);
  assert.deepEqual(next.slice(0, 3).map((r) => r.messageId), ['m-1', 'm-4', 'm-7'], 'unconfirmed rows go out again, oldest first');
  outbox.markSent([]);
  assert.equal(outbox.purge(4000), 0, 'rows sent at 5000 are kept until then');
  assert.equal(outbox.purge(6000), sent.length);
  db.close();
});

test('processed messages: a claim inside a rolled-back transaction is forgotten with the effect', () => {
  const db = openDatabase({ file: ':memory:' });
  const processed = new ProcessedMessages(db);
  const apply = db.transaction((id: string, fail: boolean) => {
    if (!processed.claim('c', id)) return 'duplicate';
    if (fail) throw new Error('effect failed');
    return 'applied';
  });
  assert.throws(() => apply('m-1', true), /effect failed/);
  assert.equal(apply('m-1', false), 'applied', 'the failed attempt did not claim the ID');
  assert.equal(apply('m-1', false), 'duplicate');
  db.close();
});
