/**
 * Gateway settings, read once from the environment at boot. Every option, with its default.
 * Live without a restart instead: `upstreams.<service>` and `rateLimits` from the central config
 * (they win over the matching options here) and the keys file's content.
 */
export interface GatewayConfig {
  /** `on`: /api/** needs an API key or a JWT (public routes excepted); `off`: no auth. Env `GATEWAY_AUTH`. @default off */
  readonly auth: 'on' | 'off';
  /** JSON file with hashed API keys (see auth/api-keys.ts), reloaded when it changes. Env `GATEWAY_API_KEYS_FILE`. @default none (no key is valid) */
  readonly apiKeysFile: string | undefined;
  /** Fallback check of the keys file for changes a watch missed, ms. Env `GATEWAY_API_KEYS_POLL_MS`. @default 2000 */
  readonly apiKeysPollMs: number;
  /** Shared secret for HS256 tokens. Env `GATEWAY_JWT_HS256_SECRET`. @default none (HS256 refused) */
  readonly jwtHs256Secret: string | undefined;
  /** JWKS URL for RS256 tokens (keys fetched and cached by jose). Env `GATEWAY_JWT_JWKS_URL`. @default none (RS256 refused) */
  readonly jwtJwksUrl: string | undefined;
  /** Required `iss`. Env `GATEWAY_JWT_ISSUER`. @default not checked */
  readonly jwtIssuer: string | undefined;
  /** Required `aud`. Env `GATEWAY_JWT_AUDIENCE`. @default not checked */
  readonly jwtAudience: string | undefined;
  /** Services reachable under /api/<service>/. Env `GATEWAY_SERVICES` (comma list). @default order,member,status,payment,barista */
  readonly services: readonly string[];
  /** `METHOD /api/path` pairs open without credentials. Env `GATEWAY_PUBLIC_ROUTES` (comma list). @default `GET /api/order/v1/menu` */
  readonly publicRoutes: readonly string[];
  /** Default rate limit per API key / token subject, requests per second (config `rateLimits.perKey` wins). Env `GATEWAY_KEY_RATE_PER_SECOND`. @default 100 */
  readonly keyRatePerSecond: number;
  /** Bucket size per key. Env `GATEWAY_KEY_RATE_BURST`. @default 200 */
  readonly keyRateBurst: number;
  /** Rate limit per client IP when no credentials apply (config `rateLimits.perIp` wins). Env `GATEWAY_ANON_RATE_PER_SECOND`. @default 1000 */
  readonly anonRatePerSecond: number;
  /** Env `GATEWAY_ANON_RATE_BURST`. @default 2000 */
  readonly anonRateBurst: number;
  /** Largest request body, bytes. Env `GATEWAY_MAX_BODY_BYTES`. @default 65536 */
  readonly maxBodyBytes: number;
  /** Largest request head (all header names and values), bytes. Env `GATEWAY_MAX_HEADER_BYTES`. @default 8192 */
  readonly maxHeaderBytes: number;
  /** Longest request target, bytes. Env `GATEWAY_MAX_URL_BYTES`. @default 4096 */
  readonly maxUrlBytes: number;
  /**
   * Upstream answers with a `content-length` up to this many bytes are read whole before they are
   * sent on (one write, and a broken body becomes a 502); larger and unknown-length ones stream.
   * 0 streams everything. Env `GATEWAY_BUFFER_RESPONSE_BYTES`. @default 65536
   */
  readonly maxBufferedResponseBytes: number;
  /** Per-attempt upstream timeout to response headers, ms, for services without an `upstreams.<service>` entry in the config. Env `GATEWAY_UPSTREAM_TIMEOUT_MS`. @default 5000 */
  readonly upstreamTimeoutMs: number;
  /** Allowed CORS origins (`*` for any). Env `GATEWAY_CORS_ORIGINS` (comma list). @default * */
  readonly corsOrigins: readonly string[];
  /**
   * Port of the admin listener on 127.0.0.1 serving the gateway's own `/health/*` and `/metrics`
   * (registered in etcd as the instance's `port`, the public port as `publicPort`); 0 takes a free
   * port. The public port answers those paths with a JSON 404. Env `GATEWAY_ADMIN_PORT`. @default 0
   */
  readonly adminPort: number;
}

function list(v: string | undefined, fallback: string): string[] {
  return (v ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${v}"`);
  return n;
}

function nonNegative(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number ≥ 0, got "${v}"`);
  return n;
}

function portNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new Error(`${name} must be a port number (0 for a free one), got "${v}"`);
  return n;
}

export function readGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const auth = env['GATEWAY_AUTH'] ?? 'off';
  if (auth !== 'on' && auth !== 'off') throw new Error(`GATEWAY_AUTH must be "on" or "off", got "${auth}"`);
  const opt = (name: string): string | undefined => (env[name] ? env[name] : undefined);
  return {
    auth,
    apiKeysFile: opt('GATEWAY_API_KEYS_FILE'),
    apiKeysPollMs: positive(env, 'GATEWAY_API_KEYS_POLL_MS', 2000),
    jwtHs256Secret: opt('GATEWAY_JWT_HS256_SECRET'),
    jwtJwksUrl: opt('GATEWAY_JWT_JWKS_URL'),
    jwtIssuer: opt('GATEWAY_JWT_ISSUER'),
    jwtAudience: opt('GATEWAY_JWT_AUDIENCE'),
    services: list(env['GATEWAY_SERVICES'], 'order,member,status,payment,barista'),
    publicRoutes: list(env['GATEWAY_PUBLIC_ROUTES'], 'GET /api/order/v1/menu'),
    keyRatePerSecond: positive(env, 'GATEWAY_KEY_RATE_PER_SECOND', 100),
    keyRateBurst: positive(env, 'GATEWAY_KEY_RATE_BURST', 200),
    anonRatePerSecond: positive(env, 'GATEWAY_ANON_RATE_PER_SECOND', 1000),
    anonRateBurst: positive(env, 'GATEWAY_ANON_RATE_BURST', 2000),
    maxBodyBytes: positive(env, 'GATEWAY_MAX_BODY_BYTES', 65_536),
    maxHeaderBytes: positive(env, 'GATEWAY_MAX_HEADER_BYTES', 8192),
    maxUrlBytes: positive(env, 'GATEWAY_MAX_URL_BYTES', 4096),
    maxBufferedResponseBytes: nonNegative(env, 'GATEWAY_BUFFER_RESPONSE_BYTES', 65_536),
    upstreamTimeoutMs: positive(env, 'GATEWAY_UPSTREAM_TIMEOUT_MS', 5000),
    corsOrigins: list(env['GATEWAY_CORS_ORIGINS'], '*'),
    adminPort: portNumber(env, 'GATEWAY_ADMIN_PORT', 0),
  };
}
