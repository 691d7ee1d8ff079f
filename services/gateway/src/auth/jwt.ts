import { AppError } from '@brewops/platform';
import type { Principal } from './principal.js';

export interface JwtOptions {
  readonly hs256Secret?: string | undefined;
  readonly jwksUrl?: string | undefined;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
}

// jose is ESM-only; this package is CommonJS, so it is loaded with import() once.
type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
type JWTPayload = Awaited<ReturnType<Jose['jwtVerify']>>['payload'];
let jose: Promise<Jose> | undefined;
const loadJose = (): Promise<Jose> => (jose ??= import('jose'));

const bearer = (code: string, message: string, status = 401): AppError =>
  new AppError({ status, code, message, headers: { 'www-authenticate': `Bearer error="${status === 403 ? 'insufficient_scope' : 'invalid_token'}"` } });

/**
 * Verifies bearer tokens with jose: HS256 with a shared secret, RS256 with keys from a JWKS URL
 * (fetched, cached and refreshed on unknown `kid` by jose). The token's `scope` grants services:
 * `api:*` or `api:<service>`; a token with no `scope` may call every service.
 */
export class JwtVerifier {
  private readonly secret: Uint8Array | undefined;
  private jwks: ReturnType<Jose['createRemoteJWKSet']> | undefined;

  constructor(private readonly opts: JwtOptions) {
    this.secret = opts.hs256Secret ? new TextEncoder().encode(opts.hs256Secret) : undefined;
  }

  get enabled(): boolean {
    return this.secret !== undefined || this.opts.jwksUrl !== undefined;
  }

  async authenticate(token: string): Promise<Principal> {
    const alg = algOf(token);
    const verifyOpts = {
      ...(this.opts.issuer ? { issuer: this.opts.issuer } : {}),
      ...(this.opts.audience ? { audience: this.opts.audience } : {}),
    };
    const { createRemoteJWKSet, errors, jwtVerify } = await loadJose();
    if (this.opts.jwksUrl && !this.jwks) {
      this.jwks = createRemoteJWKSet(new URL(this.opts.jwksUrl), { timeoutDuration: 2000, cooldownDuration: 5000 });
    }
    let payload: JWTPayload;
    try {
      if (alg === 'HS256' && this.secret) payload = (await jwtVerify(token, this.secret, { ...verifyOpts, algorithms: ['HS256'] })).payload;
      else if (alg === 'RS256' && this.jwks) payload = (await jwtVerify(token, this.jwks, { ...verifyOpts, algorithms: ['RS256'] })).payload;
      else throw bearer('invalid_token', `token algorithm ${alg ?? 'unknown'} is not accepted`);
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof errors.JWTExpired) throw bearer('token_expired', 'token has expired');
      if (err instanceof errors.JWKSTimeout || (err as { code?: string }).code === 'ERR_JOSE_GENERIC') {
        throw new AppError({ status: 503, code: 'auth_unavailable', message: 'token keys cannot be fetched now', headers: { 'retry-after': '1' }, cause: err });
      }
      throw bearer('invalid_token', 'token is not valid');
    }
    const sub = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined;
    if (sub === undefined) throw bearer('invalid_token', 'token has no subject');
    return { kind: 'jwt', id: `jwt:${sub}`, services: servicesOf(payload) };
  }
}

function algOf(token: string): string | undefined {
  const head = token.split('.')[0];
  if (!head) return undefined;
  try {
    const h = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: unknown };
    return typeof h.alg === 'string' ? h.alg : undefined;
  } catch {
    return undefined;
  }
}

function servicesOf(p: JWTPayload): string[] {
  if (typeof p['scope'] !== 'string') return ['*'];
  return p['scope'].split(' ').filter((s) => s.startsWith('api:')).map((s) => s.slice(4));
}
