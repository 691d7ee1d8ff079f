/**
 * Every panel query of every generated Grafana dashboard (dashboards/grafana/*.json, exactly what
 * Grafana loads) returns data from the live Prometheus after a short load run, with its template
 * variables filled in the way Grafana fills them. A panel that cannot have data is removed from
 * its dashboard, so a failure here means a metric was renamed, a label changed, or a scrape job is
 * missing. Panels that need a controller incident (INCIDENT_PANELS) are only printed here and
 * asserted by 71-dashboards-incident after the control-loop e2e. Exemplars of the latency panels
 * lead to traces stored in Zipkin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, urls } from '../support/stack.js';
import { checkPanels, GRAFANA_DIR, INCIDENT_PANELS, loadRun, prom, RANGE_S, substitute, type Dashboard } from './30-dashboards-helpers.js';

test('every panel query of every dashboard returns series from the live Prometheus after a load run', async (t) => {
  const jobs = await prom<{ result: unknown[] }>('/api/v1/query', { query: 'up{job="rabbitmq-queues"}' });
  assert.ok(jobs.result.length > 0, 'Prometheus does not scrape the job rabbitmq-queues (per-queue RabbitMQ metrics): '
    + 'its prometheus.yml predates packages/cli/src/config/prometheus.ts; restart the stack with brewops up');

  const statuses = await loadRun(120, 4);
  const ok = [...statuses].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
  console.log(`load run: ${[...statuses].map(([s, c]) => `${c}× ${s}`).join(', ')}`);
  assert.ok(ok >= 100, `the load run mostly failed: ${JSON.stringify([...statuses])}`);
  await sleep(12_000); // two scrapes after the last request (and the sagas' last steps), so rates over the end of the run exist

  const end = Math.floor(Date.now() / 1000);
  const { checked, empty, emptyIncident } = await checkPanels(end, () => true);
  console.log(`${checked} panel queries checked`);
  if (emptyIncident.length > 0) {
    console.log(`${emptyIncident.length} queries of ${INCIDENT_PANELS.length} panels need a controller incident first (asserted by 71-dashboards-incident)`);
  }
  assert.deepEqual(empty, [], 'panel queries without data (fix the query, or remove the panel if it can never have data)');

  await t.test('exemplars on latency panels lead to traces stored in Zipkin', async () => {
    const overview = JSON.parse(readFileSync(join(GRAFANA_DIR, 'overview.json'), 'utf8')) as Dashboard;
    const target = overview.panels.flatMap((p) => p.targets ?? []).find((x) => x.exemplar === true);
    assert.ok(target, 'overview.json has no query with exemplars');
    const series = await prom<Array<{ exemplars: Array<{ labels: Record<string, string> }> }>>('/api/v1/query_exemplars', {
      query: substitute(target.expr, {}), start: String(end - RANGE_S), end: String(end),
    });
    const traceIds = [...new Set(series.flatMap((s) => s.exemplars.map((e) => e.labels['trace_id'])).filter(Boolean))] as string[];
    console.log(`exemplars: ${traceIds.length} trace IDs`);
    assert.ok(traceIds.length > 0, 'no exemplar with a trace_id on the p99 latency query');
    let found = 0;
    for (const id of traceIds.slice(-5)) {
      const r = await fetch(`${urls.zipkin()}/api/v2/trace/${id}`);
      if (r.ok) found++;
      await r.arrayBuffer();
    }
    assert.ok(found > 0, `none of the last exemplar trace IDs is in Zipkin: ${traceIds.slice(-5).join(', ')}`);
  });
});
