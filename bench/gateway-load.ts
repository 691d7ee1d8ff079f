import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface Saturation { readonly rps: number; readonly errors: number; readonly requests: number }
export interface FixedRate { readonly p50Ms: number; readonly p99Ms: number; readonly sent: number; readonly errors: number; readonly achievedRps: number }

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function once(pool: Pool, path: string, headers: Record<string, string>): Promise<boolean> {
  try {
    const res = await pool.request({ method: 'GET', path, headers });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}

/** Closed loop: `concurrency` requests always in flight for `ms`; completed requests per second. */
export async function saturate(origin: string, path: string, headers: Record<string, string>, concurrency: number, ms: number): Promise<Saturation> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  let requests = 0;
  let errors = 0;
  const start = performance.now();
  const end = start + ms;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const ok = await once(pool, path, headers);
      requests++;
      if (!ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  return { rps: requests / seconds, errors, requests };
}

/**
 * Open loop at `rate` req/s for `ms`: requests leave on schedule whatever the answers do, and
 * latency counts from the scheduled time (no coordinated omission).
 */
export async function fixedRate(origin: string, path: string, headers: Record<string, string>, rate: number, ms: number): Promise<FixedRate> {
  const pool = new Pool(origin, { connections: 64, pipelining: 1 });
  const latencies: number[] = [];
  const inflight: Promise<void>[] = [];
  let errors = 0;
  const start = performance.now();
  const total = Math.floor((rate * ms) / 1000);
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - start) / 1000) * rate) + 1);
    for (; sent < due; sent++) {
      const scheduled = start + (sent * 1000) / rate;
      inflight.push(once(pool, path, headers).then((ok) => {
        if (!ok) errors++;
        latencies.push(performance.now() - scheduled);
      }));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), sent, errors, achievedRps: sent / seconds };
}
