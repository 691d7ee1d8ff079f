import type { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { endClientSpan, startClientSpan } from './client-span.js';
import type { Upstream } from './upstream.js';

/**
 * Aborts one attempt (its timeout). undici takes an EventEmitter-like signal (`on`, `once`,
 * `removeListener`, `aborted`, `reason`) as well as an AbortSignal; an AbortController is an
 * EventTarget, several times dearer to create and to listen on, and one is made per attempt.
 */
export class AttemptSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: Array<() => void> | undefined;

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const ls = this.listeners;
    this.listeners = undefined;
    if (ls) for (const l of ls) l();
  }

  on(event: string, listener: () => void): this {
    if (event === 'abort' && !this.aborted) (this.listeners ??= []).push(listener);
    return this;
  }

  once(event: string, listener: () => void): this {
    return this.on(event, listener); // listeners run once anyway: abort happens once
  }

  addListener(event: string, listener: () => void): this {
    return this.on(event, listener);
  }

  removeListener(event: string, listener: () => void): this {
    const ls = this.listeners;
    if (event === 'abort' && ls) {
      const i = ls.indexOf(listener);
      if (i !== -1) ls.splice(i, 1);
    }
    return this;
  }

  off(event: string, listener: () => void): this {
    return this.removeListener(event, listener);
  }
}

export interface SendInput {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer | Readable | null;
  readonly signal: AttemptSignal;
  readonly bodyTimeoutMs: number;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Readable;
}

/**
 * One HTTP exchange with one instance over its keep-alive pool; resolves when the response
 * headers are in. Its CLIENT span is made here and ends at the response headers (client-span.ts;
 * the undici instrumentation skips these requests), and trace context and baggage are injected
 * into `input.headers` (the attempt's own object: a retry overwrites them with its own span).
 * The dispatcher is called with origin and path as they are: undici's top-level `request(url)`
 * would parse them into a URL object first (per request), and re-encode the path and query
 * a caller already normalised (the gateway forwards the client's query string as sent).
 */
export async function send(upstream: Upstream, input: SendInput): Promise<RawResponse> {
  const span = startClientSpan(input.method, upstream.origin, upstream.info.host, upstream.info.port, input.path, input.headers);
  let res;
  try {
    res = await upstream.agent.request({
      origin: upstream.origin,
      path: input.path,
      method: input.method as 'GET',
      headers: input.headers,
      body: input.body,
      signal: input.signal as unknown as EventEmitter,
      // the attempt's timeout (Upstream.attempt) bounds the wait for headers; undici's own is off
      headersTimeout: 0,
      bodyTimeout: input.bodyTimeoutMs,
    });
  } catch (err) {
    endClientSpan(span, undefined, err);
    throw err;
  }
  endClientSpan(span, res.statusCode);
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
