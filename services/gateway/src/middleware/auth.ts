import type Koa from 'koa';
import { AppError } from '@brewops/platform';
import type { JwtVerifier } from '../auth/jwt.js';
import type { Principal } from '../auth/principal.js';

/** The API keys in force (an ApiKeyStore, or an ApiKeyFile that follows the keys file). */
export interface ApiKeys {
  authenticate(key: string): Principal;
}

export interface AuthDeps {
  readonly required: boolean;
  readonly keys: ApiKeys;
  readonly jwt: JwtVerifier;
  /** `METHOD /path` pairs open without credentials. */
  readonly publicRoutes: ReadonlySet<string>;
}

/** Header carrying an API key. `Authorization: Bearer <jwt>` carries a token. */
export const HEADER_API_KEY = 'x-api-key';

const missing = (): AppError =>
  new AppError({ status: 401, code: 'missing_credentials', message: `send an ${HEADER_API_KEY} header or an Authorization: Bearer token`, headers: { 'www-authenticate': 'Bearer, ApiKey' } });

/**
 * Sets `ctx.state.principal`. Credentials, when sent, are always checked (a bad key is a 401
 * even on a public route or with auth off: a client should learn its key is wrong); with auth
 * required, a request without credentials is a 401 unless its route is public. Anonymous
 * principals are keyed by client address for rate limiting.
 */
export function authMiddleware(deps: AuthDeps): Koa.Middleware {
  return function gatewayAuth(ctx, next) {
    const p = authenticate(ctx, deps);
    // API keys and anonymous requests are decided synchronously; only a JWT may need a wait (JWKS)
    if (p instanceof Promise) {
      return p.then((principal) => {
        ctx.state['principal'] = principal;
        return next();
      });
    }
    ctx.state['principal'] = p;
    return next();
  };
}

function authenticate(ctx: Koa.Context, deps: AuthDeps): Principal | Promise<Principal> {
  const key = ctx.get(HEADER_API_KEY);
  const authz = ctx.get('authorization');
  if (key !== '') return deps.keys.authenticate(key);
  if (authz !== '') {
    const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authz);
    if (!m) throw new AppError({ status: 401, code: 'invalid_token', message: 'Authorization must be "Bearer <jwt>"', headers: { 'www-authenticate': 'Bearer' } });
    if (!deps.jwt.enabled) throw new AppError({ status: 401, code: 'invalid_token', message: 'bearer tokens are not accepted here', headers: { 'www-authenticate': 'ApiKey' } });
    return deps.jwt.authenticate(m[1]!);
  }
  const anonymous: Principal = { kind: 'anonymous', id: `ip:${ctx.ip}`, services: ['*'] };
  if (!deps.required) return anonymous;
  const path = ctx.path.length > 1 && ctx.path.endsWith('/') ? ctx.path.slice(0, -1) : ctx.path;
  const method = ctx.method === 'HEAD' ? 'GET' : ctx.method;
  if (deps.publicRoutes.has(`${method} ${path}`)) return anonymous;
  throw missing();
}
