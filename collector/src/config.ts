import { semconv } from '@brewops/platform';

/** Collector settings, from the environment; every option documented once, with its default. */
export interface CollectorConfig {
  /** Search backend URL. Env `OPENSEARCH_URL`. @default `http://127.0.0.1:9200` */
  readonly searchUrl: string;
  /** Prefix of daily log indices (`<prefix>-YYYY.MM.DD`). Env `LOG_INDEX_PREFIX`. @default `logs-brewops` */
  readonly logIndexPrefix: string;
  /** Prefix of daily event-archive indices. Env `EVENT_INDEX_PREFIX`. @default `events-brewops` */
  readonly eventIndexPrefix: string;
  /** Index receiving malformed lines and rejected documents, with the reason. @default `deadletter-brewops` */
  readonly deadLetterIndex: string;
  /** Exchange the log queue is bound to (`#`). Env `COLLECTOR_LOGS_EXCHANGE`. @default `brewops.logs` */
  readonly logsExchange: string;
  /** Queue of NDJSON log batches. Env `COLLECTOR_LOGS_QUEUE`. @default `brewops.logs.collector` */
  readonly logsQueue: string;
  /** Queue archiving every domain event. Env `COLLECTOR_EVENTS_QUEUE`. @default `collector.events-archive` */
  readonly eventsQueue: string;
  /** Prefix of the index template names (`<prefix>-logs`, ...). Env `COLLECTOR_TEMPLATE_PREFIX`. @default `brewops` */
  readonly templatePrefix: string;
  /** Unacknowledged log batches (messages) in flight. Env `COLLECTOR_PREFETCH`. @default 32 */
  readonly prefetch: number;
  /** Longest wait between bulk retries while the backend is down, ms. @default 5000 */
  readonly maxRetryDelayMs: number;
  /** Most documents in one bulk (lines of several messages). Env `COLLECTOR_BULK_MAX_DOCS`. @default 5000 */
  readonly bulkMaxDocs: number;
  /** Bulks written at the same time. Env `COLLECTOR_BULK_MAX_IN_FLIGHT`. @default 2 */
  readonly bulkMaxInFlight: number;
  /** Longest a message waits for its bulk to fill, ms. Env `COLLECTOR_BULK_MAX_DELAY_MS`. @default 50 */
  readonly bulkMaxDelayMs: number;
  /** Daily log and event indices older than this many days are deleted. Env `LOG_RETENTION_DAYS`. @default 7 */
  readonly retentionDays: number;
  /** How often retention runs (also once at start), ms. @default 3600000 (hourly) */
  readonly retentionEveryMs: number;
  /** How often the queue lag (messages ready) is sampled, ms. Env `COLLECTOR_LAG_SAMPLE_MS`. @default 5000 */
  readonly lagSampleMs: number;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  const n = Number(raw ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

export function readCollectorConfig(env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  const prefetch = positiveInt(env, 'COLLECTOR_PREFETCH', 32);
  return {
    searchUrl: env['OPENSEARCH_URL'] ?? 'http://127.0.0.1:9200',
    logIndexPrefix: env['LOG_INDEX_PREFIX'] ?? 'logs-brewops',
    eventIndexPrefix: env['EVENT_INDEX_PREFIX'] ?? 'events-brewops',
    deadLetterIndex: env['DEADLETTER_INDEX'] ?? 'deadletter-brewops',
    logsExchange: env['COLLECTOR_LOGS_EXCHANGE'] ?? semconv.EXCHANGE_LOGS,
    logsQueue: env['COLLECTOR_LOGS_QUEUE'] ?? semconv.QUEUE_LOGS,
    eventsQueue: env['COLLECTOR_EVENTS_QUEUE'] ?? 'collector.events-archive',
    templatePrefix: env['COLLECTOR_TEMPLATE_PREFIX'] ?? 'brewops',
    prefetch,
    maxRetryDelayMs: 5000,
    bulkMaxDocs: positiveInt(env, 'COLLECTOR_BULK_MAX_DOCS', 5000),
    bulkMaxInFlight: positiveInt(env, 'COLLECTOR_BULK_MAX_IN_FLIGHT', 2),
    bulkMaxDelayMs: positiveInt(env, 'COLLECTOR_BULK_MAX_DELAY_MS', 50),
    retentionDays: positiveInt(env, 'LOG_RETENTION_DAYS', 7),
    retentionEveryMs: 3_600_000,
    lagSampleMs: positiveInt(env, 'COLLECTOR_LAG_SAMPLE_MS', 5000),
  };
}
