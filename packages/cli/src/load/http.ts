import { Pool } from 'undici';

/** What a transport failure counts as in the report; `aborted`: the run stopped it (not an error). */
export type FailureKind = 'timeout' | 'connection' | 'aborted' | 'other';

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED',
]);

/** Types a thrown request error for the report. Pure. */
export function classifyFailure(err: unknown): FailureKind {
  const e = err as { name?: unknown; code?: unknown; cause?: { code?: unknown } } | null;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : '';
  if (e?.name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') return 'aborted';
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  if (CONNECTION_CODES.has(code)) return 'connection';
  return 'other';
}

export interface HttpCall {
  readonly method: 'GET' | 'POST';
  /** Path and query, e.g. `/api/order/v1/menu`. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface HttpReply {
  readonly status: number;
  /** Time to response headers, ms. */
  readonly latencyMs: number;
  readonly body: string;
}

export interface StreamReply {
  readonly status: number;
  readonly latencyMs: number;
  /** Whether `until` said the stream reached its end, or the server closed it. */
  readonly finished: 'matched' | 'closed' | 'timeout';
  /** Time from the request to the end, ms. */
  readonly totalMs: number;
}

/** The requests a journey makes; undici in a run, a local server in tests. */
export interface Transport {
  send(call: HttpCall, timeoutMs: number, signal: AbortSignal): Promise<HttpReply>;
  /** Reads a streaming body until `until(textSoFar)` is true, the server ends it, or `timeoutMs`. */
  stream(call: HttpCall, timeoutMs: number, signal: AbortSignal, until: (text: string) => boolean): Promise<StreamReply>;
  close(): Promise<void>;
}

/** One undici Pool to the target origin, keep-alive on, at most `connections` sockets. */
export function undiciTransport(origin: string, connections: number): Transport {
  const pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000, connect: { timeout: 5_000 } });
  return {
    async send(call, timeoutMs, signal) {
      const t0 = performance.now();
      const res = await pool.request({
        method: call.method, path: call.path, headers: { ...call.headers }, body: call.body ?? null,
        headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal,
      });
      const latencyMs = performance.now() - t0;
      return { status: res.statusCode, latencyMs, body: await res.body.text() };
    },
    async stream(call, timeoutMs, signal, until) {
      const t0 = performance.now();
      const stop = new AbortController();
      const onAbort = (): void => stop.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => stop.abort(), timeoutMs);
      try {
        const res = await pool.request({
          method: call.method, path: call.path, headers: { ...call.headers }, body: call.body ?? null,
          headersTimeout: timeoutMs, bodyTimeout: 0, signal: stop.signal,
        });
        const latencyMs = performance.now() - t0;
        let text = '';
        let finished: StreamReply['finished'] = 'closed';
        try {
          for await (const chunk of res.body) {
            text += (chunk as Buffer).toString('utf8');
            if (until(text)) {
              finished = 'matched';
              break;
            }
          }
        } catch (err) {
          if (signal.aborted) throw err;
          if (classifyFailure(err) !== 'aborted') throw err;
          finished = 'timeout';
        }
        if (finished === 'matched') res.body.destroy();
        return { status: res.statusCode, latencyMs, finished, totalMs: performance.now() - t0 };
      } catch (err) {
        if (!signal.aborted && stop.signal.aborted) throw Object.assign(new Error('stream timed out'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
        throw err;
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      }
    },
    close: () => pool.destroy(),
  };
}
