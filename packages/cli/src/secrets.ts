import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
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
