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
  /** Unacknowledged log batches in flight. Env `COLLECTOR_PREFETCH`. @default 8 */
  readonly prefetch: number;
  /** Longest wait between bulk retries while the backend is down, ms. @default 5000 */
  readonly maxRetryDelayMs: number;
}

export function readCollectorConfig(env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  const prefetch = Number(env['COLLECTOR_PREFETCH'] ?? 8);
  if (!Number.isInteger(prefetch) || prefetch < 1) throw new Error(`COLLECTOR_PREFETCH must be a positive integer, got "${env['COLLECTOR_PREFETCH']}"`);
  return {
    searchUrl: env['OPENSEARCH_URL'] ?? 'http://127.0.0.1:9200',
    logIndexPrefix: env['LOG_INDEX_PREFIX'] ?? 'logs-brewops',
    eventIndexPrefix: env['EVENT_INDEX_PREFIX'] ?? 'events-brewops',
    deadLetterIndex: env['DEADLETTER_INDEX'] ?? 'deadletter-brewops',
    prefetch,
    maxRetryDelayMs: 5000,
  };
}
