import type Koa from 'koa';
import { Counter } from 'prom-client';
import { AppError } from '../http/errors.js';
import type { MetricsRegistry } from '../metrics/metrics.js';
import type { FaultsConfig } from '../config/schema.js';
import { METRIC_FAULTS_INJECTED } from '../semconv.js';

/** Paths never touched: liveness (a fault must not get the instance restarted) and scraping. */
const EXEMPT_PATHS: ReadonlySet<string> = new Set(['/health/live', '/metrics']);

export interface FaultOptions {
  /** The current fault settings, read on every request (a live config). */
  readonly faults: () => FaultsConfig;
  readonly instanceId: string;
  readonly registry?: MetricsRegistry;
  /** @default Math.random */
  readonly random?: () => number;
}

export interface EffectiveFaults {
  readonly errorRatio: number;
  readonly latencyMs: number;
}

/** The service's settings with this instance's overrides on top. */
export function effectiveFaults(faults: FaultsConfig, instanceId: string): EffectiveFaults {
  const own = faults.instances[instanceId];
  return { errorRatio: own?.errorRatio ?? faults.errorRatio, latencyMs: own?.latencyMs ?? faults.latencyMs };
}

/**
 * Fault injection driven by config: `latencyMs` delays every request, then a share `errorRatio`
 * of them fails with `500 {error:{code:'injected_fault'}}` (marked `x-brewops-fault`). Costs
 * one object lookup per request when no fault is set.
 */
export function faultMiddleware(options: FaultOptions): Koa.Middleware {
  const random = options.random ?? Math.random;
  const injected = options.registry
    ? new Counter<'kind'>({ name: METRIC_FAULTS_INJECTED, help: 'Requests given an injected fault, by kind.', labelNames: ['kind'], registers: [options.registry] })
    : undefined;
  return async function faults(ctx, next) {
    if (EXEMPT_PATHS.has(ctx.path)) return next();
    const f = effectiveFaults(options.faults(), options.instanceId);
    if (f.latencyMs > 0) {
      injected?.inc({ kind: 'latency' });
      await new Promise((r) => setTimeout(r, f.latencyMs));
    }
    if (f.errorRatio > 0 && random() < f.errorRatio) {
      injected?.inc({ kind: 'error' });
      ctx.set('x-brewops-fault', 'error');
      throw new AppError({ status: 500, code: 'injected_fault', message: 'fault injected by config (faults.errorRatio)', expose: true });
    }
    return next();
  };
}
