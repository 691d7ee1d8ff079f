/**
 * Retention on the live backend: the collector deletes daily log and event indices older than
 * LOG_RETENTION_DAYS (7) when it starts (and hourly), and keeps the younger ones and anything that
 * is not a daily index of its prefixes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readState, supervisorClient } from '@brewops/cli';
import { eventually, urls } from '../support/stack.js';

const day = (daysAgo: number): string => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '.');

async function exists(index: string): Promise<boolean> {
  return (await fetch(`${urls.search()}/${index}`, { method: 'HEAD' })).status === 200;
}

test('collector start deletes log and event indices older than 7 days, keeps the rest', { timeout: 120_000 }, async () => {
  const expired = [`logs-brewops-${day(30)}`, `events-brewops-${day(8)}`];
  const kept = [`logs-brewops-${day(5)}`, `logs-brewops-e2e-retention-${day(30)}`];
  const created: string[] = []; // an index that already existed (real data) is never deleted here
  for (const i of [...expired, ...kept]) {
    const r = await fetch(`${urls.search()}/${i}`, { method: 'PUT' });
    assert.ok(r.ok || r.status === 400, `create ${i}: ${r.status}`);
    if (r.ok) created.push(i);
  }
  try {
    const supervisor = supervisorClient(readState());
    await supervisor.restart('collector-1');
    const t0 = Date.now();
    await eventually('the expired indices to be deleted', async () => {
      for (const i of expired) if (await exists(i)) return undefined;
      return true;
    }, 60_000, 500);
    for (const i of kept) assert.ok(await exists(i), `${i} was deleted`);
    console.log(`  deleted ${expired.join(', ')} ${((Date.now() - t0) / 1000).toFixed(1)} s after the restart; kept ${kept.join(', ')}`);
    await eventually('collector-1 ready again', async () => {
      const i = (await supervisor.instances()).find((x) => x.id === 'collector-1');
      return i?.state === 'ready' ? i : undefined;
    }, 30_000, 250);
  } finally {
    for (const i of created) await fetch(`${urls.search()}/${i}`, { method: 'DELETE' });
  }
});
