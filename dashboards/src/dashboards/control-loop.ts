import { kibanaDiscover } from '../datasources.js';
import { brewopsDashboard, controllerActions, row, statPanel, timeseriesPanel } from '../panels.js';
import { quantile, RATE } from '../promql.js';
import type { DashboardSource } from '../types.js';

// services/controller/src/semconv.ts. The histograms are labelled by the instance's service
// (`target_service`): `service`/`instance_id` are the controller's own scrape-target labels.
const ACTIONS = 'brewops_controller_actions_total';
const BLOCKED = 'brewops_controller_actions_blocked_total';
const INSTANCES = 'brewops_controller_instances';
const DRY_RUN = 'brewops_controller_dry_run';
const PROBES = 'brewops_controller_probes_total';
const ALERTS = 'brewops_controller_alerts_total';
const DETECTION = 'brewops_controller_detection_seconds';
const REROUTE = 'brewops_controller_reroute_seconds';
const RESTART = 'brewops_controller_restart_seconds';
const RECOVERY = 'brewops_controller_recovery_seconds';
const VERIFICATIONS = 'brewops_controller_verifications_total';
const PROM_QUERIES = 'brewops_controller_prometheus_queries_total';


/** p50 and p99 of one incident-timing histogram, per target service. */
function timing(metric: string, what: string): Array<{ expr: string; legend: string }> {
  return [
    { expr: quantile(0.5, metric, '', ['target_service']), legend: `{{target_service}} ${what} p50` },
    { expr: quantile(0.99, metric, '', ['target_service']), legend: `{{target_service}} ${what} p99` },
  ];
}

/**
 * The self-healing loop (services/controller): what it follows, what it did, and how fast each
 * incident went from the last good probe to detection, reroute, restart and verified recovery.
 * Panels of actions and timings have data once an incident happened (an instance killed).
 */
export const controlLoop: DashboardSource = {
  file: 'control-loop.json',
  build: () => brewopsDashboard('brewops-control-loop', 'brewops / Control loop',
    'The controller: instance states, actions over time, detection / reroute / restart / recovery times. Incidents: GET :9600/v1/incidents.')
    .annotation(controllerActions())
    .withRow(row('Followed instances'))
    .withPanel(statPanel('Instances per state', [{ expr: `sum by (state) (${INSTANCES})`, legend: '{{state}}' }], {
      unit: 'short', span: 12,
      description: 'Instances the controller follows, per state: healthy → suspect → rerouted → restarting → recovering → verifying (reinstated, in traffic, the SLO window running) → healthy.',
    }))
    .withPanel(statPanel('Dry run', [{ expr: `max(${DRY_RUN})`, legend: 'dry run' }], {
      unit: 'bool_on_off', span: 4, thresholds: [{ value: 1, color: 'orange' }],
      description: 'On: the controller records its decisions but neither reroutes nor restarts.',
    }))
    .withPanel(statPanel('Actions blocked (1h)', [{ expr: `sum(increase(${BLOCKED}[1h])) or vector(0)`, legend: 'blocked' }], {
      unit: 'short', span: 4, thresholds: [{ value: 1, color: 'orange' }],
      description: 'Actions a safety guard refused in the last hour (last healthy instance, max share out, rate limit).',
    }))
    .withPanel(statPanel('Alerts received (1h)', [{ expr: `sum(increase(${ALERTS}[1h])) or vector(0)`, legend: 'alerts' }], {
      unit: 'short', span: 4,
      description: 'Alertmanager notifications received on the webhook (critical alerts), including ones about instances it does not follow.',
    }))
    .withPanel(timeseriesPanel('Instances per state over time', [{ expr: `sum by (state) (${INSTANCES})`, legend: '{{state}}' }], {
      unit: 'short', span: 12, min: 0, description: 'A kill shows as healthy → suspect → rerouted → restarting → recovering → verifying (reinstated, in traffic, the SLO window running) → healthy.',
    }))
    .withPanel(timeseriesPanel('Readiness probes', [{ expr: `sum by (result) (rate(${PROBES}[${RATE}]))`, legend: '{{result}}' }], {
      unit: 'reqps', span: 12, min: 0, description: 'Active GET /health/ready probes per second, by result (ok, failed).',
    }))
    .withPanel(timeseriesPanel('Prometheus signal queries', [{ expr: `sum by (result) (rate(${PROM_QUERIES}[${RATE}]))`, legend: '{{result}}' }], {
      unit: 'reqps', span: 12, min: 0,
      description: 'The controller\'s queries of per-instance error ratio and latency from Prometheus (a slower second source beside its own 1 s reads), by result: ok, error, timeout, unreachable.',
    }))
    .withRow(row('Actions (reroute: OUT_OF_SERVICE in etcd; restart: through the actuator; reinstate)'))
    .withPanel(timeseriesPanel('Actions by type and result', [{
      expr: `sum by (action, result) (increase(${ACTIONS}[${RATE}]))`, legend: '{{action}} {{result}}',
    }], {
      unit: 'short', span: 24, min: 0,
      description: 'Controller actions per interval: result ok, error (alert: BrewopsControllerActionsFailing) or dry_run.',
      links: [{ title: 'Controller log in Kibana', url: kibanaDiscover('service.name:"controller"') }],
    }))
    .withPanel(timeseriesPanel('Verifications after reinstate', [{
      expr: `sum by (target_service, result) (increase(${VERIFICATIONS}[${RATE}]))`, legend: '{{target_service}} {{result}}',
    }], {
      unit: 'short', span: 24, min: 0,
      description: 'A reinstated instance stays in the incident until it has been ready and within the SLO (error ratio, latency) for rules.verifyWindowMs: passed closes the incident; failed reroutes it again.',
    }))
    .withRow(row('Incident timings (from the last ready probe before the failure)'))
    .withPanel(timeseriesPanel('Time to detect and reroute', [...timing(DETECTION, 'detected'), ...timing(REROUTE, 'rerouted')], {
      unit: 's', span: 12, description: 'Detected: the decision to reroute. Rerouted: the override written, traffic off the instance.',
    }))
    .withPanel(timeseriesPanel('Time to restart and recover', [...timing(RESTART, 'restart'), ...timing(RECOVERY, 'recovered')], {
      unit: 's', span: 12, description: 'Restart: request to actuator done. Recovered: back in traffic for good (the reinstatement whose verification window passed; the incident closes a window later).',
    }))
    .build(),
};
