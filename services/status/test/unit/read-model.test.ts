import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusReadModel } from '../../src/handlers/read-model.js';

test('an event applied twice changes the read model once', () => {
  const m = new StatusReadModel();
  assert.equal(m.apply('o-1', 'placed', '2026-01-01T00:00:00Z', 'e-1'), true);
  assert.equal(m.apply('o-1', 'placed', '2026-01-01T00:00:00Z', 'e-1'), false);
  assert.equal(m.get('o-1')?.history.length, 1);
  m.apply('o-1', 'paid', '2026-01-01T00:00:01Z', 'e-2');
  assert.equal(m.get('o-1')?.status, 'paid');
  assert.deepEqual(m.get('o-1')?.history.map((h) => h.status), ['placed', 'paid']);
  assert.equal(m.get('o-2'), undefined);
});
