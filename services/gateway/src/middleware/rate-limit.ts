import type Koa from 'koa';
import { AppError } from '@brewops/platform';
import type { Principal } from '../auth/principal.js';
import type { RateLimiter } from '../handlers/rate-limiter.js';

export interface RateLimitDefaults {
  readonly key: { readonly perSecond: number; readonly burst: number };
  readonly anonymous: { readonly perSecond: number; readonly burst: number };
}

/** Token bucket per principal; over the limit: 429 `rate_limited` with Retry-After. */
export function rateLimitMiddleware(limiter: RateLimiter, defaults: RateLimitDefaults): Koa.Middleware {
  return function gatewayRateLimit(ctx, next) {
    const p = ctx.state['principal'] as Principal;
    const rate = p.rate ?? (p.kind === 'anonymous' ? defaults.anonymous : defaults.key);
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
