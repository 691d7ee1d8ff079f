import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expiredIndices, indexDay, startRetention } from '../../src/retention.js';
import type { IndexAdmin } from '../../src/retention.js';

const P = ['logs-brewops', 'events-brewops'];

test('indexDay parses <prefix>-YYYY.MM.DD and rejects other names and impossible dates', () => {
  assert.equal(indexDay('logs-brewops-2026.11.23', 'logs-brewops'), Date.UTC(2026, 10, 23));
  assert.equal(indexDay('logs-brewops-2026.11.23', 'events-brewops'), undefined);
  assert.equal(indexDay('logs-brewops-x-2026.11.23', 'logs-brewops'), undefined);
  assert.equal(indexDay('logs-brewops-2026.02.30', 'logs-brewops'), undefined);
  assert.equal(indexDay('logs-brewops-2026.13.01', 'logs-brewops'), undefined);
  assert.equal(indexDay('logs-brewops-2026.11.23-restored', 'logs-brewops'), undefined);
  assert.equal(indexDay('deadletter-brewops', 'logs-brewops'), undefined);
});

test('with 7 days, today and the 6 days before are kept; the 7th day back and older are expired', () => {
  const now = new Date('2026-11-23T00:00:01.000Z');
  const names = ['logs-brewops-2026.11.23', 'logs-brewops-2026.11.17', 'logs-brewops-2026.11.16', 'events-brewops-2026.10.01', 'events-brewops-2026.11.20'];
  assert.deepEqual(expiredIndices(names, P, 7, now), ['events-brewops-2026.10.01', 'logs-brewops-2026.11.16']);
  // Late in the day changes nothing: retention works on whole UTC days.
  assert.deepEqual(expiredIndices(names, P, 7, new Date('2026-11-23T23:59:59.999Z')), ['events-brewops-2026.10.01', 'logs-brewops-2026.11.16']);
});

test('month and year boundaries, leap day, retention of 1 day keeps only today', () => {
  assert.deepEqual(expiredIndices(['logs-brewops-2026.12.31', 'logs-brewops-2027.01.01'], P, 1, new Date('2027-01-01T12:00:00Z')), ['logs-brewops-2026.12.31']);
  assert.deepEqual(expiredIndices(['logs-brewops-2028.02.29', 'logs-brewops-2028.02.28'], P, 7, new Date('2028-03-06T08:00:00Z')), ['logs-brewops-2028.02.28']);
});

test('never selects indices outside the prefixes, non-daily names or future days', () => {
  const names = ['deadletter-brewops', '.kibana_1', 'logs-other-2020.01.01', 'logs-brewops', 'logs-brewops-2099.01.01', 'logs-brewops-2020.01.01'];
  assert.deepEqual(expiredIndices(names, P, 7, new Date('2026-11-23T10:00:00Z')), ['logs-brewops-2020.01.01']);
});

test('startRetention deletes expired indices at start and survives a failing backend', async () => {
  const deleted: string[][] = [];
  let calls = 0;
  const admin: IndexAdmin = {
    listIndices: async (patterns) => {
      calls++;
      assert.deepEqual(patterns, ['logs-brewops-*', 'events-brewops-*']);
      return ['logs-brewops-2000.01.01', `logs-brewops-${new Date().toISOString().slice(0, 10).replace(/-/g, '.')}`];
    },
    deleteIndices: async (names) => { deleted.push([...names]); },
  };
  const quiet = { info() {}, warn() {}, error() {}, debug() {} } as never;
  const r = startRetention(admin, { prefixes: P, retentionDays: 7, everyMs: 10 }, quiet);
  await new Promise((res) => setTimeout(res, 35));
  r.stop();
  assert.ok(calls >= 2, `ran ${calls} times`);
  assert.deepEqual(deleted[0], ['logs-brewops-2000.01.01']);

  const failing: IndexAdmin = { listIndices: async () => { throw new Error('connection refused'); }, deleteIndices: async () => undefined };
  const r2 = startRetention(failing, { prefixes: P, retentionDays: 7, everyMs: 1000 }, quiet);
  await new Promise((res) => setTimeout(res, 5));
  r2.stop();
});
