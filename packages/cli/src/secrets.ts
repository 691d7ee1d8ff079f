import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Makes sure `.brewops/secrets/<name>` holds a random token (0600, directory 0700) and returns
 * its path. Kept across `up`s, so whoever reads it (Alertmanager, the controller) agrees.
 */
export function ensureSecretToken(stateDir: string, name: string): string {
  const dir = join(stateDir, 'secrets');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = join(dir, name);
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  return file;
}

/** Bearer token Alertmanager sends to the controller's webhook (alert-rules/alertmanager.yml). */
export const CONTROLLER_WEBHOOK_TOKEN = 'controller-webhook-token';

/** The dev API key `up` provisions for the gateway, sent as `x-api-key`. */
export const DEV_API_KEY = 'dev-api-key';
/** The gateway's keys file: only SHA-256 hashes of the keys, never the keys. */
export const GATEWAY_API_KEYS = 'gateway-api-keys.json';

/**
 * Makes sure the dev API key exists (kept across `up`s) and that the gateway's keys file holds
 * its hash; returns the env that turns the gateway's auth on with that file.
 */
export function ensureGatewayCredentials(stateDir: string): Record<string, string> {
  const keyFile = join(stateDir, 'secrets', DEV_API_KEY);
  if (!existsSync(keyFile)) {
    mkdirSync(join(stateDir, 'secrets'), { recursive: true, mode: 0o700 });
    writeFileSync(keyFile, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  }
  const key = readFileSync(keyFile, 'utf8').trim();
  const keysFile = join(stateDir, 'secrets', GATEWAY_API_KEYS);
  const sha256 = createHash('sha256').update(key).digest('hex');
  writeFileSync(keysFile, `${JSON.stringify({ keys: [{ id: 'dev', sha256 }] }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(keysFile, 0o600);
  return { GATEWAY_AUTH: 'on', GATEWAY_API_KEYS_FILE: keysFile };
}
