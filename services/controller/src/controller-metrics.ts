import { Counter, Gauge, Histogram } from 'prom-client';
import type { Metrics } from '@brewops/platform';
import * as n from './semconv.js';

/** 50 ms to 2 min: detection is sub-second, a restart with recovery takes seconds. */
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 15, 30, 60, 120];

export interface ControllerMetrics {
  readonly actions: Counter<'action' | 'result'>;
  readonly blocked: Counter<'reason'>;
  readonly detection: Histogram<'target_service'>;
  readonly reroute: Histogram<'target_service'>;
  readonly restart: Histogram<'target_service'>;
  readonly recovery: Histogram<'target_service'>;
  readonly verifications: Counter<'target_service' | 'result'>;
  readonly instances: Gauge<'state'>;
  readonly dryRun: Gauge;
  readonly probes: Counter<'result'>;
  readonly alerts: Counter<'status'>;
  readonly prometheusQueries: Counter<'result'>;
}

export function createControllerMetrics(registry: Metrics['registry']): ControllerMetrics {
  const registers = [registry];
  const h = (name: string, help: string): Histogram<'target_service'> =>
    new Histogram({ name, help, labelNames: [n.LABEL_TARGET_SERVICE], buckets: BUCKETS, registers });
  return {
    actions: new Counter({ name: n.METRIC_ACTIONS, help: 'Controller actions by type and result.', labelNames: [n.LABEL_ACTION, n.LABEL_RESULT], registers }),
    blocked: new Counter({ name: n.METRIC_BLOCKED, help: 'Actions refused by a safety guard, by reason.', labelNames: ['reason'], registers }),
    detection: h(n.METRIC_DETECTION_SECONDS, 'Last ready probe to the decision to reroute.'),
    reroute: h(n.METRIC_REROUTE_SECONDS, 'Last ready probe to the override written.'),
    restart: h(n.METRIC_RESTART_SECONDS, 'Restart request to actuator done.'),
    recovery: h(n.METRIC_RECOVERY_SECONDS, 'Last ready probe to back in traffic for good (reinstated; observed once its verification window passed).'),
    verifications: new Counter({
      name: n.METRIC_VERIFICATIONS, help: 'Verification windows after reinstatement, by result (passed, failed, dry_run).',
      labelNames: [n.LABEL_TARGET_SERVICE, n.LABEL_RESULT], registers,
    }),
    instances: new Gauge({ name: n.METRIC_INSTANCES, help: 'Followed instances per state.', labelNames: ['state'], registers }),
    dryRun: new Gauge({ name: n.METRIC_DRY_RUN, help: '1 while the controller only records decisions.', registers }),
    probes: new Counter({ name: n.METRIC_PROBES, help: 'Active readiness probes by result.', labelNames: [n.LABEL_RESULT], registers }),
    alerts: new Counter({ name: n.METRIC_ALERTS, help: 'Alertmanager alerts received, by status.', labelNames: ['status'], registers }),
    prometheusQueries: new Counter({
      name: n.METRIC_PROMETHEUS_QUERIES, help: 'Instant queries to Prometheus for its error ratio and latency signal, by result (ok, error, timeout, unreachable).',
      labelNames: [n.LABEL_RESULT], registers,
    }),
  };
}
