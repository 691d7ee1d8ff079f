/**
 * Every name that dashboards, alerts, log queries and other services depend on.
 * Renaming one breaks them silently: change here only, and grep dashboards/ and alert-rules/.
 */

// --- correlation ---
/** HTTP header a client may send; echoed in every response. */
export const HEADER_CORRELATION_ID = 'x-correlation-id';
/** W3C baggage entry carrying the correlation ID across HTTP and AMQP hops. */
export const BAGGAGE_CORRELATION_ID = 'correlation.id';
/** Log field (ECS-style custom field) with the correlation ID, on every line. */
export const LOG_CORRELATION_ID = 'correlation.id';
/** Span attribute with the correlation ID. */
export const ATTR_CORRELATION_ID = 'brewops.correlation_id';
/** Accepted form of an incoming correlation ID; anything else is replaced. */
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

// --- messaging topology ---
/** Topic exchange for domain events (`order.placed`, ...). */
export const EXCHANGE_EVENTS = 'brewops.events';
/** Durable exchange for shipped log batches. */
export const EXCHANGE_LOGS = 'brewops.logs';
/** Queue the collector consumes log batches from. */
export const QUEUE_LOGS = 'brewops.logs.collector';
/** AMQP header with the correlation ID (also in baggage). */
export const AMQP_HEADER_CORRELATION_ID = 'x-correlation-id';

// --- metrics (Prometheus names; units in the name) ---
export const METRIC_HTTP_SERVER_DURATION = 'http_server_request_duration_seconds';
export const METRIC_MESSAGES_PUBLISHED = 'brewops_messages_published_total';
export const METRIC_MESSAGES_CONSUMED = 'brewops_messages_consumed_total';
export const METRIC_MESSAGE_HANDLE_DURATION = 'brewops_message_handle_duration_seconds';
export const METRIC_LOG_LINES_SHIPPED = 'brewops_log_lines_shipped_total';
export const METRIC_LOG_LINES_DROPPED = 'brewops_log_lines_dropped_total';

// --- discovery (etcd keys) ---
/** Root of everything brewops keeps in etcd. */
export const ETCD_PREFIX = '/brewops/';
/** `<prefix>services/<service>/instances/<instanceId>` → JSON InstanceInfo, under a lease. */
export const instanceKey = (service: string, instanceId: string): string =>
  `${ETCD_PREFIX}services/${service}/instances/${instanceId}`;
/** `<prefix>services/<service>/overrides/<instanceId>` → `OUT_OF_SERVICE` (no lease). */
export const overrideKey = (service: string, instanceId: string): string =>
  `${ETCD_PREFIX}services/${service}/overrides/${instanceId}`;

// --- client (client-side load balancer; labels `upstream_service`, `upstream_instance`,
// never `service`/`instance_id`, which are the scraped instance's own target labels) ---
export const METRIC_CLIENT_REQUESTS = 'brewops_client_requests_total';
export const METRIC_CLIENT_ERRORS = 'brewops_client_errors_total';
export const METRIC_CLIENT_DURATION = 'brewops_client_request_duration_seconds';
/** Gauge: 0 closed, 1 half-open, 2 open. */
export const METRIC_CLIENT_BREAKER_STATE = 'brewops_client_breaker_state';
/** Counter `{upstream_service, upstream_instance, state}`: every transition, so none is lost between scrapes. */
export const METRIC_CLIENT_BREAKER_TRANSITIONS = 'brewops_client_breaker_transitions_total';
/** Gauge `{upstream_service}`: the breaker around all calls to one service (ServiceBreaker): 0 closed, 1 half-open, 2 open. */
export const METRIC_CLIENT_SERVICE_BREAKER_STATE = 'brewops_client_service_breaker_state';
/** Counter `{upstream_service, state}`: every transition of a service breaker. */
export const METRIC_CLIENT_SERVICE_BREAKER_TRANSITIONS = 'brewops_client_service_breaker_transitions_total';
/** Counter `{upstream_service}`: calls refused (never sent) while the service breaker was open. */
export const METRIC_CLIENT_SERVICE_BREAKER_REJECTED = 'brewops_client_service_breaker_rejected_total';
export const METRIC_CLIENT_EJECTIONS = 'brewops_client_ejections_total';
/** Gauge: 1 while the instance is ejected by outlier detection. */
export const METRIC_CLIENT_EJECTED = 'brewops_client_ejected';
export const METRIC_CLIENT_RETRIES = 'brewops_client_retries_total';
export const METRIC_CLIENT_RETRY_BUDGET_EXHAUSTED = 'brewops_client_retry_budget_exhausted_total';
export const LABEL_UPSTREAM_SERVICE = 'upstream_service';
export const LABEL_UPSTREAM_INSTANCE = 'upstream_instance';

// --- central config ---
/** `<prefix>config/<service>` → JSON ConfigDocument (the merged config of every layer); history = its etcd revisions. */
export const configKey = (service: string): string => `${ETCD_PREFIX}config/${service}`;
/** Gauge: etcd revision of the config this instance applies (0: schema defaults, nothing pushed or loaded). */
export const METRIC_CONFIG_REVISION = 'brewops_config_revision';
/** Counter: config changes this instance refused (invalid document or value), by `reason`. */
export const METRIC_CONFIG_REFUSED = 'brewops_config_refused_total';
/** Counter: requests answered with an injected fault, by `kind` (`error`, `latency`). */
export const METRIC_FAULTS_INJECTED = 'brewops_faults_injected_total';
