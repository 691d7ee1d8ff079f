/**
 * Names dashboards, alerts and log queries depend on. Labels say `target_*`: `service` and
 * `instance_id` are the controller's own scrape-target labels.
 */

// --- metrics ---
/** Counter `{action, result}`: reroute | restart | reinstate × ok | error | dry_run. */
export const METRIC_ACTIONS = 'brewops_controller_actions_total';
/** Counter `{reason}`: actions a guard refused (last_healthy, max_share, rate_limited). */
export const METRIC_BLOCKED = 'brewops_controller_actions_blocked_total';
/** Histogram: last ready probe → decision to reroute (how long a failure went unnoticed). */
export const METRIC_DETECTION_SECONDS = 'brewops_controller_detection_seconds';
/** Histogram: last ready probe → override written (traffic off the instance). */
export const METRIC_REROUTE_SECONDS = 'brewops_controller_reroute_seconds';
/** Histogram: restart request → actuator done. */
export const METRIC_RESTART_SECONDS = 'brewops_controller_restart_seconds';
/**
 * Histogram: last ready probe → back in traffic for good (the reinstatement whose verification
 * window passed); observed when that window passes, never for a recovery that failed it.
 */
export const METRIC_RECOVERY_SECONDS = 'brewops_controller_recovery_seconds';
/** Counter `{target_service, result}`: verification windows after reinstatement (passed, failed, dry_run). */
export const METRIC_VERIFICATIONS = 'brewops_controller_verifications_total';
/** Gauge `{state}`: instances per state-machine state. */
export const METRIC_INSTANCES = 'brewops_controller_instances';
/** Gauge: 1 in dry-run mode. */
export const METRIC_DRY_RUN = 'brewops_controller_dry_run';
/** Counter `{result}`: active readiness probes (ok, failed). */
export const METRIC_PROBES = 'brewops_controller_probes_total';
/** Counter `{status}`: Alertmanager alerts received (firing, resolved, ignored). */
export const METRIC_ALERTS = 'brewops_controller_alerts_total';
/** Counter `{result}`: instant queries to Prometheus for its signal (ok, error, timeout, unreachable). */
export const METRIC_PROMETHEUS_QUERIES = 'brewops_controller_prometheus_queries_total';

export const LABEL_ACTION = 'action';
export const LABEL_RESULT = 'result';
export const LABEL_TARGET_SERVICE = 'target_service';

// --- span attributes and log fields ---
export const ATTR_INCIDENT_ID = 'brewops.controller.incident_id';
export const ATTR_TARGET_SERVICE = 'brewops.controller.target_service';
export const ATTR_TARGET_INSTANCE = 'brewops.controller.target_instance';
export const ATTR_ACTION = 'brewops.controller.action';
export const ATTR_RESULT = 'brewops.controller.result';
export const ATTR_REASON = 'brewops.controller.reason';
export const ATTR_DRY_RUN = 'brewops.controller.dry_run';

export const SPAN_INCIDENT = 'controller.incident';
export const spanAction = (action: string): string => `controller.${action}`;
