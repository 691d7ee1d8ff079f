import { connect } from 'node:net';
import { describe } from './errors.js';

/** True when something accepts TCP connections on host:port. */
export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface HttpProbe {
  /** HTTP status, or 0 when no response arrived. */
  readonly status: number;
  readonly body: string;
  /** Why there was no response (connection refused, timeout). */
  readonly error?: string;
}

/** One HTTP request that never throws: failures come back as `status: 0` with `error`. */
export async function probeHttp(url: string, init: RequestInit = {}, timeoutMs = 2000): Promise<HttpProbe> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    const msg = (err as { name?: string }).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describe(err);
    return { status: 0, body: '', error: `${url}: ${msg}` };
  }
}

/** Result of one readiness check. */
export interface Readiness {
  readonly ready: boolean;
  /** Why not, in a few words (shown as `not ready: <detail>`). */
  readonly detail: string;
}

export const READY: Readiness = { ready: true, detail: 'ready' };

/** Readiness of an endpoint that must answer 200 (and, optionally, pass `accept` on its body). */
export async function httpReady(url: string, accept?: (body: string) => string | null): Promise<Readiness> {
  const r = await probeHttp(url);
  if (r.status === 0) return { ready: false, detail: r.error ?? 'no answer' };
  if (r.status !== 200) return { ready: false, detail: `${url} answered ${r.status}` };
  const why = accept?.(r.body) ?? null;
  return why === null ? READY : { ready: false, detail: why };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
