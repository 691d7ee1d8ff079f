/**
 * The search backend down for 60 s under a bounded log load: batches wait unacknowledged in
 * RabbitMQ, nothing is lost, and the backlog drains once OpenSearch is back. Load: N lines
 * published to `brewops.logs` as the shippers do (unique run id + sequence number each), plus
 * requests through the gateway whose own log lines carry a unique correlation ID each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startBackend, stopBackend } from '@brewops/cli';
import { eventually, getJson, sleep, urls } from '../support/stack.js';
import { gatewayFetch } from '../support/gateway-auth.js';
import { collectorQueueLag, countRun, LogPublisher, missingSeqs, publishRun } from './50-log-helpers.js';

const OUTAGE_MS = Number(process.env['E2E_LOG_OUTAGE_MS'] ?? 60_000);
const LINES = Number(process.env['E2E_LOG_OUTAGE_LINES'] ?? 12_000);
const REQUESTS = 60;

async function correlationIdsIndexed(prefix: string): Promise<number> {
  const res = await getJson<{ aggregations: { ids: { buckets: unknown[] } } }>(`${urls.search()}/logs-brewops-*/_search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      size: 0,
      query: { bool: { filter: [{ prefix: { 'correlation.id': prefix } }, { term: { 'service.name': 'gateway' } }] } },
      aggs: { ids: { terms: { field: 'correlation.id', size: REQUESTS * 2 } } },
    }),
  });
  return res.aggregations.ids.buckets.length;
}

test(`OpenSearch stopped for ${OUTAGE_MS / 1000} s under log load: 0 lost, the lag drains`, { timeout: OUTAGE_MS + 300_000 }, async () => {
  const run = `outage-${randomUUID().slice(0, 8)}`;
  const pub = await LogPublisher.open();
  let restarted = false;
  try {
    assert.equal((await pub.queueDepth()).consumers > 0, true, 'the collector does not consume brewops.logs.collector');
    const stopOutcome = await stopBackend('opensearch');
    const stoppedAt = Date.now();
    assert.ok(stopOutcome === 'stopped' || stopOutcome === 'killed', `could not stop OpenSearch: ${stopOutcome} (a reused backend is never stopped)`);
    console.log(`  opensearch stopped (${stopOutcome}); publishing ${LINES} lines and ${REQUESTS} gateway requests over ${OUTAGE_MS / 1000} s`);

    let okRequests = 0;
    const requests = (async () => {
      for (let i = 0; i < REQUESTS; i++) {
        const r = await gatewayFetch(`${urls.gateway()}/api/order/v1/menu`, { headers: { 'x-correlation-id': `${run}-req-${i}` } });
        if (r.ok) okRequests++;
        await r.arrayBuffer();
        await sleep(OUTAGE_MS * 0.8 / REQUESTS);
      }
    })();
    await Promise.all([publishRun(pub, run, LINES, 200, OUTAGE_MS * 0.8), requests]);
    const remaining = stoppedAt + OUTAGE_MS - Date.now();
    if (remaining > 0) await sleep(remaining);
    const peak = await pub.queueDepth();
    console.log(`  after ${((Date.now() - stoppedAt) / 1000).toFixed(0)} s down: ${peak.ready} batches ready in ${'brewops.logs.collector'}, ${okRequests}/${REQUESTS} requests ok`);
    assert.ok(peak.ready > 0, 'no backlog built up while the search backend was down');
    const lagGauge = await eventually('the collector\'s queue-lag gauge to show the backlog', async () => {
      const v = await collectorQueueLag();
      return v !== undefined && v > 0 ? v : undefined;
    }, 15_000, 500);
    console.log(`  collector gauge brewops_collector_queue_messages_ready{queue="brewops.logs.collector"} = ${lagGauge}`);

    const t0 = Date.now();
    await startBackend('opensearch');
    restarted = true;
    const readyAfter = Date.now() - t0;
    const drained = await eventually('every published line to be searchable', async () => {
      const n = await countRun(run);
      return n >= LINES ? n : undefined;
    }, 180_000, 1000);
    const drainMs = Date.now() - t0;
    const queueEmpty = await eventually('the collector queue to be empty', async () => ((await pub.queueDepth()).ready === 0 ? Date.now() - t0 : undefined), 60_000, 500);
    const lost = LINES - drained;
    const reqIds = await eventually('gateway lines of every request', async () => {
      const n = await correlationIdsIndexed(`${run}-req-`);
      return n >= okRequests ? n : undefined;
    }, 60_000, 1000).catch(async () => correlationIdsIndexed(`${run}-req-`));
    console.log(`  opensearch ready ${(readyAfter / 1000).toFixed(1)} s after start; all ${drained}/${LINES} lines searchable ${(drainMs / 1000).toFixed(1)} s after start; queue empty at ${(queueEmpty / 1000).toFixed(1)} s`);
    console.log(`  lost: ${lost} lines; gateway request lines indexed for ${reqIds}/${okRequests} correlation IDs`);
    assert.equal(drained, LINES, `lines beyond the published ones: ${drained}`);
    assert.deepEqual((await missingSeqs(run, LINES)).slice(0, 20), [], 'lines lost');
    assert.equal(reqIds, okRequests, 'gateway log lines of some requests were lost');
  } finally {
    if (!restarted) await startBackend('opensearch');
    await pub.close();
  }
});
