import type Koa from 'koa';
import { AppError } from '../http/errors.js';
import type { MetricsRegistry } from '../metrics/metrics.js';
import type { FaultsConfig } from '../config/schema.js';
import { effectiveFaults, faultCounter } from './effective.js';

/** Paths never touched: liveness (a fault must not get the instance restarted) and scraping. */
const EXEMPT_PATHS: ReadonlySet<string> = new Set(['/health/live', '/metrics']);

/** How often a hanging request looks whether the flag was cleared, ms. */
const HANG_RECHECK_MS = 100;

export interface FaultOptions {
  /** The current fault settings, read on every request (a live config). */
  readonly faults: () => FaultsConfig;
  readonly instanceId: string;
  readonly registry?: MetricsRegistry;
  /** @default Math.random */
  readonly random?: () => number;
}

/** Resolves once `hang` is cleared or the client went away (then the request is dropped). */
async function waitWhileHanging(ctx: Koa.Context, hanging: () => boolean): Promise<boolean> {
  let gone = false;
  const onClose = (): void => void (gone = true);
  ctx.req.once('close', onClose);
  ctx.res.once('close', onClose);
  try {
    while (hanging() && !gone) await new Promise((r) => setTimeout(r, HANG_RECHECK_MS));
  } finally {
    ctx.req.off('close', onClose);
    ctx.res.off('close', onClose);
  }
  return !gone;
}

/**
 * Fault injection driven by config, per request: `hang` holds the request unanswered while set,
 * `latencyMs` delays it, then a share `errorRatio` fails with `500 {error:{code:'injected_fault'}}`
 * (marked `x-brewops-fault`). Process-level faults (crash, memory, CPU, broker) are the
 * FaultRunner's. Costs one object lookup per request when no fault is set.
 */
export function faultMiddleware(options: FaultOptions): Koa.Middleware {
  const random = options.random ?? Math.random;
  const injected = faultCounter(options.registry);
  const current = () => effectiveFaults(options.faults(), options.instanceId);
  return async function faults(ctx, next) {
    if (EXEMPT_PATHS.has(ctx.path)) return next();
    const f = current();
    if (f.hang) {
      injected.inc('hang');
      ctx.set('x-brewops-fault', 'hang');
      if (!(await waitWhileHanging(ctx, () => current().hang))) {
        ctx.respond = false; // the client is gone: nothing to answer
        return undefined;
      }
    }
    if (f.latencyMs > 0) {
      injected.inc('latency');
      await new Promise((r) => setTimeout(r, f.latencyMs));
    }
    if (f.errorRatio > 0 && random() < f.errorRatio) {
      injected.inc('error');
      ctx.set('x-brewops-fault', 'error');
      throw new AppError({ status: 500, code: 'injected_fault', message: 'fault injected by config (faults.errorRatio)', expose: true });
    }
    return next();
  };
}
