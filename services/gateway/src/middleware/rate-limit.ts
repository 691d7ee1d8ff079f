import type Koa from 'koa';
import { AppError, type RateLimitConfig } from '@brewops/platform';
import type { Principal } from '../auth/principal.js';
import type { RateLimiter } from '../handlers/rate-limiter.js';
import { rateFor, type RateLimitDefaults } from '../handlers/rate-limits.js';

export type { RateLimitDefaults } from '../handlers/rate-limits.js';

/**
 * Token bucket per principal; over the limit: 429 `rate_limited` with Retry-After. The limit is
 * looked up per request (see `rateFor`): `limits()` returns the live config's `rateLimits`, so a
 * lowered limit refuses the next requests once the bucket holds fewer tokens than the new burst,
 * and a raised one refills at the new rate at once. A bucket keeps its tokens across a change.
 */
export function rateLimitMiddleware(limiter: RateLimiter, defaults: RateLimitDefaults, limits: () => Readonly<Record<string, RateLimitConfig>> = () => ({})): Koa.Middleware {
  return function gatewayRateLimit(ctx, next) {
    const p = ctx.state['principal'] as Principal;
    const { rate } = rateFor(p, limits(), defaults);
    const d = limiter.take(p.id, rate.perSecond, rate.burst);
    ctx.set('ratelimit-limit', String(rate.burst));
    ctx.set('ratelimit-remaining', String(d.remaining));
    if (!d.allowed) {
      throw new AppError({
        status: 429,
        code: 'rate_limited',
        message: `rate limit of ${rate.perSecond}/s exceeded`,
        headers: { 'retry-after': String(d.retryAfterSeconds) },
      });
    }
    return next();
  };
}
