import { createHash } from 'node:crypto';
import { badRequest, conflict } from '@brewops/platform';

const KEY = /^[A-Za-z0-9._:-]{1,128}$/;

/** The Idempotency-Key header's value, `undefined` when absent; 400 when malformed. */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !KEY.test(value)) {
    throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 1-128 characters of [A-Za-z0-9._:-]', { field: 'Idempotency-Key' });
  }
  return value;
}

/** Fingerprint of a request body: the same key with a different body is a client bug. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body ?? null)).digest('hex');
}

export interface StoredResponse {
  readonly requestHash: string;
  readonly statusCode: number;
  readonly response: unknown;
}

/** A stored response for a retried request, or 409 when the key was used for another request. */
export function replay(stored: StoredResponse, hash: string): { statusCode: number; body: unknown } {
  if (stored.requestHash !== hash) {
    throw conflict('idempotency_key_reused', 'this Idempotency-Key was used with a different request body', { field: 'Idempotency-Key' });
  }
  return { statusCode: stored.statusCode, body: stored.response };
}
