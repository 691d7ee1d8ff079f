/**
 * The gateway's edge rules against real upstream instances registered in the real etcd: API keys
 * (hashed in a keys file) and JWTs (HS256, RS256 via JWKS) → 401/403 JSON with a code, never a
 * 500; per-key rate limits → 429 with Retry-After; body/header limits; internal paths hidden;
 * upstream timeout → 504 JSON; no instance → 503 JSON with Retry-After; CORS; correlation ID.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, makeCredentials, nowS, signHs256, signRs256, startGateway, type Credentials, type Fixture, type TestGateway } from './10-gateway-harness.js';

let creds: Credentials;
let gw: TestGateway;
let fixtures: Fixture[];
let svc: string;
let empty: string;

before(async () => {
  creds = await makeCredentials();
  svc = cluster.uniqueService('gwup');
  empty = cluster.uniqueService('gwnone');
  fixtures = await cluster.startFixtures(svc, 2);
  gw = await startGateway({
    GATEWAY_AUTH: 'on',
    GATEWAY_SERVICES: `${svc},${empty}`,
    GATEWAY_PUBLIC_ROUTES: `GET /api/${svc}/v1/public`,
    GATEWAY_API_KEYS_FILE: creds.keysFile,
    GATEWAY_JWT_HS256_SECRET: creds.hsSecret,
    GATEWAY_JWT_JWKS_URL: creds.jwksUrl,
    GATEWAY_UPSTREAM_TIMEOUT_MS: '300',
    GATEWAY_MAX_BODY_BYTES: '4096',
    GATEWAY_CORS_ORIGINS: 'http://app.test',
  });
});

after(async () => {
  await gw?.stop();
  await cluster.stopFixtures(fixtures ?? []);
  await creds?.close();
});

interface Answer { status: number; body: { error?: { code?: string } } & Record<string, unknown>; headers: Headers }

async function call(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Answer> {
  const res = await fetch(`${gw.url}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let body: Answer['body'];
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    assert.fail(`${init.method ?? 'GET'} ${path} → ${res.status} with a non-JSON body: ${text.slice(0, 200)}`);
  }
  assert.notEqual(res.status, 500, `${path} answered 500: ${text}`);
  return { status: res.status, body, headers: res.headers };
}

const echo = (): string => `/api/${svc}/v1/echo`;
const expectError = (a: Answer, status: number, code: string): void => {
  assert.equal(a.status, status, JSON.stringify(a.body));
  assert.equal(a.body.error?.code, code);
};

describe('gateway auth (API keys, JWT)', { timeout: 90_000 }, () => {
  test('API keys: missing, invalid, expired → 401; disabled, wrong service → 403; valid → proxied', async () => {
    expectError(await call(echo()), 401, 'missing_credentials');
    expectError(await call(echo(), { headers: { 'x-api-key': 'not-a-key' } }), 401, 'invalid_api_key');
    expectError(await call(echo(), { headers: { 'x-api-key': creds.keys.expired } }), 401, 'api_key_expired');
    expectError(await call(echo(), { headers: { 'x-api-key': creds.keys.disabled } }), 403, 'api_key_disabled');
    expectError(await call(echo(), { headers: { 'x-api-key': creds.keys.orderOnly } }), 403, 'service_not_allowed');
    const ok = await call(echo(), { headers: { 'x-api-key': creds.keys.valid, 'x-correlation-id': 'gw-auth-1' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body['correlationId'], 'gw-auth-1', 'correlation ID not forwarded to the upstream');
    assert.equal(ok.headers.get('x-correlation-id'), 'gw-auth-1');
    assert.ok(ok.headers.get('x-upstream-instance')?.startsWith(svc));
    const pub = await fetch(`${gw.url}/api/${svc}/v1/public`);
    assert.equal(pub.status, 200, 'public route needs no credentials');
  });

  test('JWT: HS256 and RS256 (JWKS) accepted; expired, bad signature, unknown alg, wrong scope refused', async () => {
    const claims = { sub: 'user-1', exp: nowS() + 60 };
    const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
    assert.equal((await call(echo(), { headers: bearer(signHs256(creds.hsSecret, claims)) })).status, 200);
    assert.equal((await call(echo(), { headers: bearer(signRs256(creds.rsKey, creds.rsKid, claims)) })).status, 200);
    expectError(await call(echo(), { headers: bearer(signHs256(creds.hsSecret, { sub: 'u', exp: nowS() - 10 })) }), 401, 'token_expired');
    expectError(await call(echo(), { headers: bearer(signHs256('another-secret', claims)) }), 401, 'invalid_token');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    expectError(await call(echo(), { headers: bearer(none) }), 401, 'invalid_token');
    expectError(await call(echo(), { headers: { authorization: 'Basic dXNlcjpwdw==' } }), 401, 'invalid_token');
    expectError(await call(echo(), { headers: bearer(signHs256(creds.hsSecret, { ...claims, scope: 'api:order' })) }), 403, 'service_not_allowed');
    assert.equal((await call(echo(), { headers: bearer(signHs256(creds.hsSecret, { ...claims, scope: `api:${svc}` })) })).status, 200);
  });
});

describe('gateway limits and upstream failures', { timeout: 90_000 }, () => {
  const key = (): Record<string, string> => ({ 'x-api-key': creds.keys.valid });

  test('per-key rate limit → 429 with Retry-After', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 6; i++) answers.push(await call(echo(), { headers: { 'x-api-key': creds.keys.limited } }));
    const limited = answers.filter((a) => a.status === 429);
    assert.ok(limited.length >= 2, `statuses ${answers.map((a) => a.status).join(',')}`);
    assert.equal(limited[0]!.body.error?.code, 'rate_limited');
    assert.ok(Number(limited[0]!.headers.get('retry-after')) >= 1, 'no Retry-After');
  });

  test('body and header size limits; streaming body under the limit is proxied', async () => {
    const small = await call(echo(), { method: 'POST', headers: { ...key(), 'content-type': 'application/octet-stream' }, body: Buffer.alloc(3000, 1) });
    assert.equal(small.body['bytes'], 3000);
    expectError(await call(echo(), { method: 'POST', headers: { ...key(), 'content-type': 'text/plain' }, body: 'x'.repeat(5000) }), 413, 'payload_too_large');
    const chunked = new ReadableStream({ start(c) { for (let i = 0; i < 10; i++) c.enqueue(new Uint8Array(1000)); c.close(); } });
    expectError(await call(echo(), { method: 'POST', headers: key(), body: chunked, duplex: 'half' } as RequestInit & { headers: Record<string, string> }), 413, 'payload_too_large');
    expectError(await call(echo(), { headers: { ...key(), 'x-big': 'y'.repeat(9000) } }), 431, 'headers_too_large');
  });

  test('internal paths and answers marked internal are 404 JSON', async () => {
    for (const p of ['metrics', 'health/ready', 'admin/x', 'v1/../metrics', '%2e%2e/metrics', 'v1/secret']) {
      // fetch itself resolves `%2e%2e` and `..`, so some land on /api/<other>: still a JSON 404
      const a = await call(`/api/${svc}/${p}`, { headers: key() });
      assert.equal(a.status, 404, p);
      assert.ok(['not_found', 'unknown_service'].includes(a.body.error?.code ?? ''), `${p}: ${a.body.error?.code}`);
    }
  });

  test('upstream timeout → 504 JSON; no instance → 503 JSON with Retry-After', async () => {
    expectError(await call(`/api/${svc}/v1/slow?ms=2000`, { headers: key() }), 504, 'upstream_timeout');
    const none = await call(`/api/${empty}/v1/x`, { headers: key() });
    expectError(none, 503, 'no_upstream');
    assert.ok(Number(none.headers.get('retry-after')) >= 1);
  });

  test('CORS: preflight answered at the edge, allowed origin on errors too', async () => {
    const pre = await fetch(`${gw.url}${echo()}`, { method: 'OPTIONS', headers: { origin: 'http://app.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'http://app.test');
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /x-api-key/);
    const denied = await call(echo(), { headers: { origin: 'http://app.test' } });
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get('access-control-allow-origin'), 'http://app.test');
    const other = await fetch(`${gw.url}${echo()}`, { headers: { origin: 'http://evil.test', ...key() } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });
});
