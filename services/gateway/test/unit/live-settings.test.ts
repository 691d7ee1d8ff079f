import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Koa from 'koa';
import { isAppError, type RateLimitConfig } from '@brewops/platform';
import { ApiKeyFile } from '../../src/auth/api-key-file.js';
import { sha256Hex } from '../../src/auth/api-keys.js';
import type { Principal } from '../../src/auth/principal.js';
import { RateLimiter } from '../../src/handlers/rate-limiter.js';
import { rateFor } from '../../src/handlers/rate-limits.js';
import { rateLimitMiddleware } from '../../src/middleware/rate-limit.js';

const defaults = { key: { perSecond: 100, burst: 200 }, anonymous: { perSecond: 1000, burst: 2000 } };
const dev: Principal = { kind: 'api_key', id: 'key:dev', services: ['*'] };
const limitedByFile: Principal = { kind: 'api_key', id: 'key:slow', services: ['*'], rate: { perSecond: 1, burst: 3 } };
const anon: Principal = { kind: 'anonymous', id: 'ip:127.0.0.1', services: ['*'] };

test('rate limits: the principal entry, then the keys file, then perKey/perIp, then the env', () => {
  const none: Record<string, RateLimitConfig> = {};
  assert.deepEqual(rateFor(dev, none, defaults), { rate: { perSecond: 100, burst: 200 }, source: 'env' });
  assert.deepEqual(rateFor(anon, none, defaults), { rate: { perSecond: 1000, burst: 2000 }, source: 'env' });
  const general = { perKey: { requestsPerSecond: 20, burst: 40 }, perIp: { requestsPerSecond: 5 } };
  assert.deepEqual(rateFor(dev, general, defaults), { rate: { perSecond: 20, burst: 40 }, source: 'config:perKey' });
  assert.deepEqual(rateFor(anon, general, defaults), { rate: { perSecond: 5, burst: 5 }, source: 'config:perIp' }, 'burst defaults to the rate');
  assert.equal(rateFor(limitedByFile, general, defaults).source, 'keys-file', 'perKey overrode the key\'s own rate');
  const own = { ...general, 'key:slow': { requestsPerSecond: 0.5 }, 'key:dev': { requestsPerSecond: 2, burst: 3 } };
  assert.deepEqual(rateFor(limitedByFile, own, defaults), { rate: { perSecond: 0.5, burst: 1 }, source: 'config:principal' });
  assert.deepEqual(rateFor(dev, own, defaults).rate, { perSecond: 2, burst: 3 });
});

/** Runs the middleware once for `p`; the status it ends with and the Retry-After it set. */
async function hit(mw: Koa.Middleware, p: Principal): Promise<{ status: number; retryAfter?: string; limit?: string }> {
  const headers: Record<string, string> = {};
  const ctx = { state: { principal: p }, set: (k: string, v: string) => void (headers[k] = v) } as unknown as Koa.Context;
  try {
    await mw(ctx, async () => undefined);
    return { status: 200, ...(headers['ratelimit-limit'] ? { limit: headers['ratelimit-limit'] } : {}) };
  } catch (e) {
    assert.ok(isAppError(e));
    return { status: e.status, ...(e.headers?.['retry-after'] ? { retryAfter: e.headers['retry-after'] } : {}) };
  }
}

test('a lowered limit refuses the next requests with 429 + Retry-After; raised again, they pass', async () => {
  let config: Record<string, RateLimitConfig> = {};
  const mw = rateLimitMiddleware(new RateLimiter(), defaults, () => config);
  for (let i = 0; i < 10; i++) assert.equal((await hit(mw, dev)).status, 200);
  config = { 'key:dev': { requestsPerSecond: 0.2, burst: 2 } };
  const after = [];
  for (let i = 0; i < 4; i++) after.push(await hit(mw, dev));
  // the bucket is cut to the new burst: two more pass, then 429 with a Retry-After of 1/0.2 s
  assert.deepEqual(after.map((r) => r.status), [200, 200, 429, 429]);
  assert.equal(after[0]!.limit, '2');
  assert.equal(after[2]!.retryAfter, '5');
  assert.equal((await hit(mw, anon)).status, 200, 'another principal was limited too');
  config = { 'key:dev': { requestsPerSecond: 100_000, burst: 100_000 } };
  await new Promise((r) => setTimeout(r, 5)); // some refill time at the new rate
  for (let i = 0; i < 10; i++) assert.equal((await hit(mw, dev)).status, 200, 'a raised limit still refused');
});

function capture() {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  const log = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg: msg ?? '' });
  return { lines, logger: { info: log('info'), error: log('error') } };
}

const keysDoc = (...entries: Array<[string, string]>): string => JSON.stringify({ keys: entries.map(([id, key]) => ({ id, sha256: sha256Hex(key) })) });
const who = (keys: ApiKeyFile, key: string): string => {
  try {
    return keys.authenticate(key).id;
  } catch (e) {
    return isAppError(e) ? e.code : String(e);
  }
};
const until = async (what: string, ok: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(ok(), `not seen within 4 s: ${what}`);
};

test('API keys file: a change is picked up without a restart; a broken file keeps the old keys and says why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-keys-'));
  const file = join(dir, 'keys.json');
  writeFileSync(file, keysDoc(['dev', 'secret-one']));
  const { lines, logger } = capture();
  const keys = new ApiKeyFile(file, { logger, pollMs: 50, debounceMs: 10 });
  try {
    assert.equal(who(keys, 'secret-one'), 'key:dev');
    assert.equal(who(keys, 'secret-two'), 'invalid_api_key');

    writeFileSync(file, keysDoc(['dev', 'secret-one'], ['ci', 'secret-two'])); // rewrite in place
    await until('the added key', () => who(keys, 'secret-two') === 'key:ci');

    writeFileSync(file, '{"keys": [ {"id": "x", "sha256": "not-a-hash-secret-three"');
    await until('an error log', () => lines.some((l) => l.level === 'error'));
    assert.equal(who(keys, 'secret-two'), 'key:ci', 'a broken file dropped the loaded keys');
    const err = lines.find((l) => l.level === 'error')!;
    assert.match(err.msg, new RegExp(`API keys file ${file} not reloaded: not valid JSON; keeping the 2 keys`));
    const logged = JSON.stringify(lines);
    for (const secret of ['secret-one', 'secret-two', 'secret-three', sha256Hex('secret-one')]) assert.ok(!logged.includes(secret), 'a key, hash or file content was logged');

    writeFileSync(file, JSON.stringify({ keys: [{ id: 'x', sha256: 'abc' }] }));
    await until('a second error', () => lines.filter((l) => l.level === 'error').length === 2);
    assert.match(lines.filter((l) => l.level === 'error')[1]!.msg, /keys\[0\]\.sha256 must be 64 lowercase hex/);

    const tmp = join(dir, 'keys.json.tmp'); // replace by rename (a new inode)
    writeFileSync(tmp, keysDoc(['ops', 'secret-four']));
    renameSync(tmp, file);
    await until('the replaced file', () => who(keys, 'secret-four') === 'key:ops');
    assert.equal(who(keys, 'secret-one'), 'invalid_api_key', 'a removed key still authenticates');

    rmSync(file);
    await keys.reload();
    assert.equal(who(keys, 'secret-four'), 'key:ops');
    assert.match(lines.filter((l) => l.level === 'error').at(-1)!.msg, /cannot read it \(ENOENT\)/);
  } finally {
    keys.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
