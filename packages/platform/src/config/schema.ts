import { z } from 'zod';
import type { ConfigIssue } from './errors.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Fault injection for one service or one instance (the chaos tooling drives these). */
const faultSettings = {
  /** Share of requests answered `500 {error:{code:'injected_fault'}}`, 0..1. @default 0 */
  errorRatio: z.number().min(0).max(1),
  /** Delay added before every request is handled, ms. @default 0 */
  latencyMs: z.number().int().min(0).max(60_000),
};

export const faultsSchema = z
  .object({
    errorRatio: faultSettings.errorRatio.default(0),
    latencyMs: faultSettings.latencyMs.default(0),
    /** Per-instance overrides by instance id; unset fields fall back to the service's. @default {} */
    instances: z.record(z.string().min(1), z.object(faultSettings).partial().strict()).default({}),
  })
  .strict();

/** Client-side policies for calls to one upstream service (not wired yet: the platform client work will read them). */
export const upstreamSchema = z
  .object({
    /** Per-attempt timeout, ms. @default 2000 */
    timeoutMs: z.number().int().min(1).max(60_000).default(2000),
    retry: z
      .object({
        /** Attempts in total, 1 = no retry. @default 2 */
        maxAttempts: z.number().int().min(1).max(10).default(2),
        /** First backoff delay, ms (exponential after). @default 50 */
        backoffMs: z.number().int().min(0).max(10_000).default(50),
      })
      .strict()
      .prefault({}),
    breaker: z
      .object({
        /** Consecutive failures that open the breaker. @default 5 */
        consecutiveFailures: z.number().int().min(1).max(1000).default(5),
        /** Time before an open breaker lets one trial call through, ms. @default 5000 */
        halfOpenAfterMs: z.number().int().min(100).max(300_000).default(5000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** One token-bucket rate limit (not wired yet: the gateway work will read them). */
export const rateLimitSchema = z
  .object({
    /** Sustained rate. */
    requestsPerSecond: z.number().positive().max(100_000),
    /** Bucket size (burst). @default requestsPerSecond */
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
  /** Instances the supervisor should run (not read yet; `brewops up --replicas` decides today). @default 1 */
  replicas: z.number().int().min(0).max(20).default(1),
  /** HTTP port; 0 takes a free one (not read yet: `PORT` from the env decides today). @default 0 */
  port: z.number().int().min(0).max(65_535).default(0),
  /** Feature flags by name. @default {} */
  features: z.record(z.string().min(1), z.boolean()).default({}),
  /** Fault injection, see faults/. @default no faults */
  faults: faultsSchema.prefault({}),
  /** Call policies per upstream service name. @default {} */
  upstreams: z.record(z.string().min(1), upstreamSchema).default({}),
  /** Rate limits by name (e.g. route or client class). @default {} */
  rateLimits: z.record(z.string().min(1), rateLimitSchema).default({}),
  /** Secret references by name; resolve with `resolveSecret`. @default {} */
  secrets: z.record(z.string().min(1), secretRefSchema).default({}),
} as const;

export const platformConfigSchema = z.object(platformConfigShape).strict();

export type PlatformConfig = z.output<typeof platformConfigSchema>;
export type FaultsConfig = z.output<typeof faultsSchema>;
export type SecretRef = z.output<typeof secretRefSchema>;

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
