import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKeyStore, parseKeysFile, sha256Hex } from '../../src/auth/api-keys.js';
import { RateLimiter } from '../../src/handlers/rate-limiter.js';
import { Readable } from 'node:stream';
import { readGatewayConfig } from '../../src/config.js';
import { readSmall } from '../../src/routes/proxy.js';

test('API keys: only hashes are stored; invalid, expired and disabled keys get distinct codes', () => {
  const store = new ApiKeyStore(parseKeysFile(JSON.stringify({ keys: [
    { id: 'a', sha256: sha256Hex('key-a') },
    { id: 'old', sha256: sha256Hex('key-old'), expiresAt: '2020-01-01T00:00:00Z' },
    { id: 'off', sha256: sha256Hex('key-off'), disabled: true },
  ] })));
  assert.equal(store.authenticate('key-a').id, 'key:a');
  const code = (k: string): string => {
    try {
      store.authenticate(k);
      return 'ok';
    } catch (e) {
      return `${(e as { status: number }).status} ${(e as { code: string }).code}`;
    }
  };
  assert.equal(code('nope'), '401 invalid_api_key');
  assert.equal(code('key-old'), '401 api_key_expired');
  assert.equal(code('key-off'), '403 api_key_disabled');
});

test('keys file: malformed entries are refused at boot, naming the entry', () => {
  assert.throws(() => parseKeysFile('{"keys":[{"id":"x","sha256":"plain-text-key"}]}'), /keys\[0\]\.sha256/);
  assert.throws(() => parseKeysFile('{}'), /must be an array/);
});

test('rate limiter: burst, then refusal with Retry-After, refill over time, bounded memory', () => {
  const rl = new RateLimiter(3);
  const t = 1_000_000;
  assert.ok(rl.take('k', 1, 2, t).allowed);
  assert.ok(rl.take('k', 1, 2, t).allowed);
  const refused = rl.take('k', 1, 2, t);
  assert.equal(refused.allowed, false);
  assert.equal(refused.retryAfterSeconds, 1);
  assert.ok(rl.take('k', 1, 2, t + 1000).allowed);
  for (let i = 0; i < 10; i++) rl.take(`other-${i}`, 1, 1, t);
  assert.equal(rl.size, 3);
});

test('config: auth defaults to off; invalid values are refused', () => {
  assert.equal(readGatewayConfig({}).auth, 'off');
  assert.deepEqual(readGatewayConfig({}).services, ['order', 'member', 'status', 'payment', 'barista']);
  assert.throws(() => readGatewayConfig({ GATEWAY_AUTH: 'maybe' }), /GATEWAY_AUTH/);
  assert.throws(() => readGatewayConfig({ GATEWAY_MAX_BODY_BYTES: '-1' }), /GATEWAY_MAX_BODY_BYTES/);
});

test('config: the admin port defaults to a free one; a bad value is refused', () => {
  assert.equal(readGatewayConfig({}).adminPort, 0);
  assert.equal(readGatewayConfig({ GATEWAY_ADMIN_PORT: '9081' }).adminPort, 9081);
  assert.throws(() => readGatewayConfig({ GATEWAY_ADMIN_PORT: '70000' }), /GATEWAY_ADMIN_PORT/);
  assert.equal(readGatewayConfig({}).maxBufferedResponseBytes, 65_536);
  assert.equal(readGatewayConfig({ GATEWAY_BUFFER_RESPONSE_BYTES: '0' }).maxBufferedResponseBytes, 0);
});

test('a small upstream answer is read whole; one that breaks or ends short is a 502 upstream_unavailable', async () => {
  assert.equal((await readSmall(Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]), 7)).toString(), '{"a":1}');
  const short = await readSmall(Readable.from([Buffer.from('{"a"')]), 7).catch((e: unknown) => e);
  assert.equal((short as { status: number }).status, 502);
  assert.equal((short as { code: string }).code, 'upstream_unavailable');
  const broken = new Readable({ read() { this.destroy(new Error('socket hang up')); } });
  const err = await readSmall(broken, 7).catch((e: unknown) => e);
  assert.equal((err as { code: string }).code, 'upstream_unavailable');
});
