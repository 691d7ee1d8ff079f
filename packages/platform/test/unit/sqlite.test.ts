import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupCommit, openDatabase, type Migration } from '../../src/sqlite/index.js';

const V1: Migration = { name: 'items', sql: 'CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, n INTEGER NOT NULL)' };
const V2: Migration = { name: 'items-note', sql: 'ALTER TABLE items ADD COLUMN note TEXT' };

function tempFile(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'brewops-sqlite-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'nested', 'svc.db');
}

test('openDatabase: creates the folder, WAL + NORMAL + busy timeout, applies migrations once, later steps on the next open', (t) => {
  const file = tempFile(t);
  const logged: string[] = [];
  const logger = { info: (_f: unknown, m: string) => { logged.push(m); }, warn() {}, error() {}, debug() {} };
  const a = openDatabase({ file, migrations: [V1], logger });
  assert.equal(a.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(a.pragma('synchronous', { simple: true }), 1, 'NORMAL');
  assert.equal(a.pragma('busy_timeout', { simple: true }), 5000);
  a.prepare('INSERT INTO items (id, n) VALUES (?, ?)').run('x', 1);
  a.close();

  const b = openDatabase({ file, migrations: [V1, V2], logger });
  b.prepare('UPDATE items SET note = ? WHERE id = ?').run('kept', 'x');
  assert.deepEqual(b.prepare('SELECT id, n, note FROM items').all(), [{ id: 'x', n: 1, note: 'kept' }], 'data survives, the new column is there');
  assert.deepEqual(b.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all(), [{ version: 1, name: 'items' }, { version: 2, name: 'items-note' }]);
  b.close();
  const c = openDatabase({ file, migrations: [V1, V2], logger });
  c.close();
  assert.deepEqual(logged, ['sqlite: applied migration 1 (items)', 'sqlite: applied migration 2 (items-note)'], 'each step once');
});

test('openDatabase: a failing step leaves the database at the last complete one; a newer database is refused', (t) => {
  const file = tempFile(t);
  openDatabase({ file, migrations: [V1] }).close();
  const broken: Migration = { name: 'broken', sql: 'CREATE TABLE half (id TEXT); INSERT INTO nowhere VALUES (1);' };
  assert.throws(() => openDatabase({ file, migrations: [V1, broken] }), /no such table: nowhere/);
  const db = openDatabase({ file, migrations: [V1] });
  assert.equal((db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'half'").get() as { n: number }).n, 0, 'the failed step was rolled back whole');
  db.close();
  openDatabase({ file, migrations: [V1, V2] }).close();
  assert.throws(() => openDatabase({ file, migrations: [V1] }), /schema is at version 2, newer than this build knows \(1\)/);
});

test('openDatabase: closes in the flush phase of shutdown; :memory: works for tests', async () => {
  const hooks: Array<{ name: string; phase: string; fn: () => Promise<void> }> = [];
  const db = openDatabase({ file: ':memory:', migrations: [V1], lifecycle: { onShutdown: (name, fn, phase) => { hooks.push({ name, fn, phase }); } } });
  assert.deepEqual(hooks.map((h) => [h.name, h.phase]), [['database', 'flush']]);
  assert.equal(db.open, true);
  await hooks[0]!.fn();
  assert.equal(db.open, false);
});

test('groupCommit: after-commit work runs once the batch committed, and not at all when it rolled back', () => {
  const db = openDatabase({ file: ':memory:', migrations: [V1] });
  const commits = groupCommit(db);
  const insert = db.transaction((id: string) => db.prepare('INSERT INTO items (id, n) VALUES (?, 1)').run(id));
  const ran: string[] = [];
  const count = (): number => (db.prepare('SELECT COUNT(*) AS n FROM items').get() as { n: number }).n;

  commits.transaction(() => {
    insert('a');
    commits.afterCommit(() => ran.push(`a (rows ${count()})`));
    insert('b');
    commits.afterCommit(() => ran.push('b'));
    assert.deepEqual(ran, [], 'nothing runs before the commit');
  });
  assert.deepEqual(ran, ['a (rows 2)', 'b'], 'in order, after both rows are in');

  assert.throws(() => commits.transaction(() => {
    insert('c');
    commits.afterCommit(() => ran.push('c'));
    throw new Error('the batch fails');
  }), /the batch fails/);
  assert.equal(count(), 2, 'rolled back');
  assert.deepEqual(ran, ['a (rows 2)', 'b'], 'a rolled-back batch runs none of its after-commit work');

  commits.afterCommit(() => ran.push('outside'));
  assert.deepEqual(ran.at(-1), 'outside', 'outside a batch it runs at once');
  commits.transaction(() => {
    commits.transaction(() => commits.afterCommit(() => ran.push('nested')));
    assert.notEqual(ran.at(-1), 'nested', 'a nested batch joins the outer one');
  });
  assert.equal(ran.at(-1), 'nested');
  db.close();
});
