import type { ServiceClient } from '../../src/client/index.js';

export interface LoadResult {
  readonly startedAt: number;
  readonly status: number | undefined;
  readonly instanceId: string | undefined;
  readonly error: string | undefined;
}

/** `concurrency` loops of `GET path` for `durationMs`; every outcome recorded (bounded by the duration). */
export async function runLoad(client: ServiceClient, opts: { concurrency: number; durationMs: number; path?: string; pauseMs?: number }): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  const end = Date.now() + opts.durationMs;
  const loop = async (): Promise<void> => {
    while (Date.now() < end) {
      const startedAt = Date.now();
      try {
        const res = await client.request({ method: 'GET', path: opts.path ?? '/v1/echo' });
        results.push({ startedAt, status: res.status, instanceId: res.instanceId, error: undefined });
      } catch (err) {
        results.push({ startedAt, status: undefined, instanceId: undefined, error: (err as { code?: string }).code ?? String(err) });
      }
      if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, loop));
  return results;
}

/** Client-visible failures: no answer, or a 5xx. */
export const failures = (rs: readonly LoadResult[]): LoadResult[] => rs.filter((r) => r.status === undefined || r.status >= 500);

export const countBy = (rs: readonly LoadResult[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of rs) out[r.instanceId ?? r.error ?? '?'] = (out[r.instanceId ?? r.error ?? '?'] ?? 0) + 1;
  return out;
};
