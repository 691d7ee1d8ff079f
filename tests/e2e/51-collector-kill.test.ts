/**
 * The collector killed with kill -9 in the middle of bulk writes: the batches it had not
 * acknowledged are redelivered to the restarted collector, and stable document ids make the
 * redelivery overwrite instead of duplicate. 0 lost, 0 duplicated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readState, supervisorClient } from '@brewops/cli';
import { eventually } from '../support/stack.js';
import { countRun, LogPublisher, missingSeqs, publishRun } from './50-log-helpers.js';

const LINES = Number(process.env['E2E_LOG_KILL_LINES'] ?? 60_000);
const COLLECTOR = 'collector-1';

test('collector kill -9 mid-bulk: 0 lost, 0 duplicated', { timeout: 300_000 }, async () => {
  const supervisor = supervisorClient(readState());
  const before = (await supervisor.instances()).find((i) => i.id === COLLECTOR);
  assert.ok(before?.pid && before.state === 'ready', `${COLLECTOR} is not ready: ${JSON.stringify(before)}`);
  const run = `kill-${randomUUID().slice(0, 8)}`;
  const pub = await LogPublisher.open();
  try {
    const publishing = publishRun(pub, run, LINES, 500);
    // Kill once part of the run is indexed and part is still in flight.
    const atKill = await eventually('the first lines of the run to be indexed', async () => {
      const n = await countRun(run);
      return n > 0 ? n : undefined;
    }, 60_000, 100);
    process.kill(before.pid, 'SIGKILL');
    const killedAt = Date.now();
    await publishing;
    const depth = await pub.queueDepth();
    console.log(`  ${COLLECTOR} (pid ${before.pid}) killed with SIGKILL with ${atKill}/${LINES} lines indexed; ${depth.ready} batches waiting, ${depth.consumers} consumers`);
    assert.ok(atKill < LINES, 'the run was fully indexed before the kill: nothing was in flight');

    await eventually(`${COLLECTOR} to stop being ready`, async () => {
      const i = (await supervisor.instances()).find((x) => x.id === COLLECTOR);
      return i && (i.pid !== before.pid || i.state !== 'ready') ? i : undefined;
    }, 15_000, 100);
    await supervisor.start(COLLECTOR).catch((err: unknown) => console.log(`  start: ${String(err)} (already restarted by the supervisor)`));
    const after = await eventually(`${COLLECTOR} ready again`, async () => {
      const i = (await supervisor.instances()).find((x) => x.id === COLLECTOR);
      return i?.state === 'ready' && i.pid !== before.pid ? i : undefined;
    }, 60_000, 250);
    const n = await eventually('every line of the run to be searchable', async () => {
      const c = await countRun(run);
      return c >= LINES ? c : undefined;
    }, 180_000, 1000).catch(() => countRun(run));
    const missing = await missingSeqs(run, LINES);
    console.log(`  restarted as pid ${after.pid}; ${n}/${LINES} lines searchable ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill; lost ${missing.length}, duplicated ${Math.max(0, n - LINES)}`);
    assert.deepEqual(missing.slice(0, 20), [], `${missing.length} lines lost`);
    assert.equal(n, LINES, 'duplicates indexed');
  } finally {
    await pub.close();
  }
});
