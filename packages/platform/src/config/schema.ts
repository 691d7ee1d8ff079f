import { z } from 'zod';
import type { ConfigIssue } from './errors.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Fault injection for one service or one instance (the chaos tooling drives these; see
 * packages/platform/src/faults/). Every flag applies live on the next config change, no restart;
 * clearing it (back to its default) stops the fault.
 */
const faultSettings = {
  /** Share of requests answered `500 {error:{code:'injected_fault'}}`, 0..1. @default 0 */
  errorRatio: z.number().min(0).max(1),
  /** Delay added before every request is handled, ms. @default 0 */
  latencyMs: z.number().int().min(0).max(60_000),
  /** Requests are accepted but not answered while set (until cleared or the client gives up). @default false */
  hang: z.boolean(),
  /**
   * Crash stamp (ISO time): a process started before it kills itself with SIGKILL once the time
   * is reached; the restarted process, which started after it, does not. @default none
   */
  crashAt: z.iso.datetime({ offset: true }).nullable(),
  /** Memory retained per second while set, MB/s (up to `memoryCapMb`); released when cleared. @default 0 */
  memoryGrowthMbPerSec: z.number().min(0).max(1024),
  /** Upper bound of the memory retained by `memoryGrowthMbPerSec`, MB. @default 256 */
  memoryCapMb: z.number().int().min(1).max(8192),
  /** Share of every 100 ms the event loop spends busy-looping, 0..1 (1 blocks it). @default 0 */
  cpuBurnRatio: z.number().min(0).max(1),
  /** The RabbitMQ connection is closed and kept down while set; it reconnects when cleared. @default false */
  brokerDisconnect: z.boolean(),
};

export const faultsSchema = z
  .object({
    errorRatio: faultSettings.errorRatio.default(0),
    latencyMs: faultSettings.latencyMs.default(0),
    hang: faultSettings.hang.default(false),
    crashAt: faultSettings.crashAt.default(null),
    memoryGrowthMbPerSec: faultSettings.memoryGrowthMbPerSec.default(0),
    memoryCapMb: faultSettings.memoryCapMb.default(256),
    cpuBurnRatio: faultSettings.cpuBurnRatio.default(0),
    brokerDisconnect: faultSettings.brokerDisconnect.default(false),
    /** Per-instance overrides by instance id; unset fields fall back to the service's. @default {} */
    instances: z.record(z.string().min(1), z.object(faultSettings).partial().strict()).default({}),
  })
  .strict();

/**
 * Client-side policies for calls to one upstream service (`upstreams.<service>`), read by the
 * platform's ServiceClient per request: a change applies to the next request, no restart. An entry
 * replaces the client's built-in options as a whole; its unset keys take these defaults, which are
 * the client's own. No entry: the client keeps the options it was built with.
 */
export const upstreamSchema = z
  .object({
    /** Per-attempt timeout until the response headers arrive, ms. @default 2000 */
    timeoutMs: z.number().int().min(1).max(60_000).default(2000),
    retry: z
      .object({
        /** Attempts in total, 1 = no retry. Retries go to another instance, only for idempotent requests or requests that never left. @default 3 */
        maxAttempts: z.number().int().min(1).max(10).default(3),
        /** Pause before the first retry, ms; doubles for each further retry (at most 10 s). @default 0 */
        backoffMs: z.number().int().min(0).max(10_000).default(0),
        /** Retries allowed on top of first attempts, as a fraction of the requests of the last 10 s. @default 0.1 */
        budgetRatio: z.number().min(0).max(1).default(0.1),
        /** Retries always allowed per second, whatever the ratio (so low traffic can still retry). @default 3 */
        budgetMinPerSecond: z.number().min(0).max(1000).default(3),
      })
      .strict()
      .prefault({}),
    breaker: z
      .object({
        /** Consecutive transport failures or timeouts on one instance that open its breaker (5xx answers count for outlier ejection instead). @default 5 */
        consecutiveFailures: z.number().int().min(1).max(1000).default(5),
        /** Time an open breaker waits before letting one half-open probe through, ms; applies to breakers already open. @default 1000 */
        halfOpenAfterMs: z.number().int().min(100).max(300_000).default(1000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/**
 * One token-bucket rate limit (`rateLimits.<name>`). The gateway reads `perKey`, `perIp` and
 * `<principal id>` (e.g. `key:dev`) entries per request; see services/gateway/README.md.
 */
export const rateLimitSchema = z
  .object({
    /** Sustained rate (bucket refill), requests per second. */
    requestsPerSecond: z.number().positive().max(100_000),
    /** Bucket size (burst). @default requestsPerSecond rounded up */
    burst: z.number().int().positive().max(100_000).optional(),
  })
  .strict();

/** A secret is never a value in YAML: it names an env variable or a file in the secrets dir. */
export const secretRefSchema = z.union([
  z.object({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an env variable name') }).strict(),
  z.object({ file: z.string().regex(/^[A-Za-z0-9._-]+$/, 'must be a file name in the secrets dir') }).strict(),
]);

/** The keys every service has. Each service may add its own (see `serviceConfigSchema`). */
export const platformConfigShape = {
  /** Lowest log level written; applied live. @default 'info' */
  logLevel: z.enum(LOG_LEVELS).default('info'),
  /** Instances `brewops up` runs (`--replicas` on its command line wins). @default 1 */
  replicas: z.number().int().min(0).max(20).default(1),
  /** HTTP port; 0 takes a free one (validated only: `PORT` / `BREWOPS_GATEWAY_PORT` from the env decide). @default 0 */
  port: z.number().int().min(0).max(65_535).default(0),
  /** Feature flags by name. @default {} */
  features: z.record(z.string().min(1), z.boolean()).default({}),
  /** Fault injection, see faults/. @default no faults */
  faults: faultsSchema.prefault({}),
  /** Call policies per upstream service name, applied live by the ServiceClient. @default {} */
  upstreams: z.record(z.string().min(1), upstreamSchema).default({}),
  /** Rate limits by name, applied live (the gateway: `perKey`, `perIp`, `<principal id>`). @default {} */
  rateLimits: z.record(z.string().min(1), rateLimitSchema).default({}),
  /** Secret references by name; resolve with `resolveSecret`. @default {} */
  secrets: z.record(z.string().min(1), secretRefSchema).default({}),
} as const;

export const platformConfigSchema = z.object(platformConfigShape).strict();

export type PlatformConfig = z.output<typeof platformConfigSchema>;
export type FaultsConfig = z.output<typeof faultsSchema>;
export type SecretRef = z.output<typeof secretRefSchema>;
export type UpstreamConfig = z.output<typeof upstreamSchema>;
export type RateLimitConfig = z.output<typeof rateLimitSchema>;

/** A service's own keys: a zod shape whose keys must not collide with the platform's. */
export type ServiceConfigShape = z.ZodRawShape;

/** What a service's config is validated with: the platform keys plus its own, unknown keys refused. */
export type ServiceConfigSchema = z.ZodType<PlatformConfig & Record<string, unknown>>;

export function serviceConfigSchema(extension: ServiceConfigShape = {}): ServiceConfigSchema {
  for (const key of Object.keys(extension)) {
    if (key in platformConfigShape) throw new Error(`service config key "${key}" is a platform key`);
  }
  return z.object({ ...platformConfigShape, ...extension }).strict() as unknown as ServiceConfigSchema;
}

/** zod issues as `path: reason`, with unknown keys named one by one. */
export function toConfigIssues(error: z.ZodError): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) out.push({ path: [...base, k].join('.'), reason: 'unknown key' });
    } else {
      out.push({ path: base.join('.') || '(root)', reason: issue.message });
    }
  }
  return out;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: ConfigIssue[] };

export function validateConfig<T>(schema: z.ZodType<T>, raw: unknown): Validation<T> {
  const r = schema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: toConfigIssues(r.error) };
}
