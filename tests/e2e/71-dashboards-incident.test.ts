/**
 * The dashboard panels that only have data once the controller handled an incident
 * (INCIDENT_PANELS: actions, detection / reroute / restart / recovery timings), checked against
 * the live Prometheus after the control-loop e2e (70-control-loop) killed and recovered
 * instances; and the controller-actions annotation, which marks those actions on the time-series
 * panels. 30-dashboards-live checks every other panel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep } from '../support/stack.js';
import { checkPanels, INCIDENT_PANELS, isIncidentPanel, prom, RANGE_S, readDashboards, substitute } from './30-dashboards-helpers.js';

test('panels of controller incidents return series once the controller has acted', async (t) => {
  const actions = await prom<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>('/api/v1/query', {
    query: 'sum by (action, result) (brewops_controller_actions_total)',
  });
  console.log(`controller actions so far: ${actions.result.map((r) => `${r.metric['action']} ${r.metric['result']}: ${r.value[1]}`).join(', ') || 'none'}`);
  assert.ok(actions.result.length > 0, 'the controller has taken no action: run 70-control-loop (an incident) first');
  await sleep(6_000); // one more scrape of the last action

  const end = Math.floor(Date.now() / 1000);
  const { checked, empty, emptyIncident } = await checkPanels(end, isIncidentPanel);
  console.log(`${checked} panel queries of ${INCIDENT_PANELS.length} incident panels checked`);
  assert.equal(checked > 0, true, 'no dashboard has the INCIDENT_PANELS: update tests/e2e/30-dashboards-helpers.ts');
  assert.deepEqual([...empty, ...emptyIncident], [], 'incident panel queries without data after the control-loop e2e');

  await t.test('the controller-actions annotation marks the actions', async () => {
    const annotations = readDashboards().flatMap((d) => ((d as { annotations?: { list?: Array<{ name: string; expr?: string }> } }).annotations?.list ?? [])
      .filter((a) => a.expr !== undefined).map((a) => ({ dashboard: d.title, ...a })));
    assert.ok(annotations.length > 0, 'no dashboard has a Prometheus annotation');
    for (const a of annotations) {
      const { result } = await prom<{ result: unknown[] }>('/api/v1/query_range', {
        query: substitute(a.expr!, {}), start: String(end - RANGE_S), end: String(end), step: '15',
      });
      console.log(`${a.dashboard} / annotation ${a.name} → ${result.length} series`);
      assert.ok(result.length > 0, `${a.dashboard} / annotation ${a.name} marks nothing: ${a.expr}`);
    }
  });
});
