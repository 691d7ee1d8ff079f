import type { Readable } from 'node:stream';
import { request } from 'undici';
import type { Upstream } from './upstream.js';

export interface SendInput {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer | Readable | null;
  readonly signal: AbortSignal;
  readonly bodyTimeoutMs: number;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Readable;
}

/**
 * One HTTP exchange with one instance over its keep-alive pool; resolves when the response
 * headers are in. Trace context and baggage are injected by the undici instrumentation.
 */
export async function send(upstream: Upstream, input: SendInput): Promise<RawResponse> {
  const res = await request(upstream.origin + input.path, {
    method: input.method as 'GET',
    headers: input.headers,
    body: input.body,
    dispatcher: upstream.agent,
    signal: input.signal,
    // the cockatiel timeout bounds the wait for headers; undici's own is only a backstop
    headersTimeout: 0,
    bodyTimeout: input.bodyTimeoutMs,
  });
  return { status: res.statusCode, headers: res.headers, body: res.body };
}

/** Reads a whole response body: parsed JSON when the upstream sent JSON, else the text. */
export async function readBody(raw: RawResponse): Promise<unknown> {
  const text = await (raw.body as unknown as { text(): Promise<string> }).text();
  const type = String(raw.headers['content-type'] ?? '');
  if (type.includes('json') && text.length > 0) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
