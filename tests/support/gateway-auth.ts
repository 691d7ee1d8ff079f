import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './stack.js';

/** Header the gateway reads an API key from. */
export const API_KEY_HEADER = 'x-api-key';

/** Where `brewops up` provisions the dev API key (mode 0600); its SHA-256 is in the gateway's keys file. */
export const devApiKeyFile = (): string => join(root, '.brewops', 'secrets', 'dev-api-key');

/**
 * Headers a test sends to the live gateway: `{ 'x-api-key': <dev key> }` when `brewops up`
 * provisioned one, else none (the gateway then runs with GATEWAY_AUTH=off). Spread it into
 * every fetch to the gateway: `fetch(url, { headers: { ...gatewayAuthHeaders(), ... } })`.
 */
export function gatewayAuthHeaders(): Record<string, string> {
  let key: string;
  try {
    key = readFileSync(devApiKeyFile(), 'utf8').trim();
  } catch {
    return {};
  }
  return key === '' ? {} : { [API_KEY_HEADER]: key };
}

/** `fetch` to the live gateway with the dev credentials merged into the request's headers. */
export function gatewayFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  for (const [k, v] of Object.entries(gatewayAuthHeaders())) if (!headers.has(k)) headers.set(k, v);
  return fetch(url, { ...init, headers });
}
