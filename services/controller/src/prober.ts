import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

export interface ProbeResult {
  readonly ok: boolean;
  /** `ready`, `503`, `timeout`, `ECONNREFUSED`, ... */
  readonly detail: string;
}

/**
 * One `GET <base>/health/ready` with a deadline. Untraced: a probe every 250 ms per instance
 * would bury the incidents' traces.
 */
export function probeReady(baseUrl: string, timeoutMs: number): Promise<ProbeResult> {
  return context.with(suppressTracing(ROOT_CONTEXT), async () => {
    try {
      const res = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? { ok: true, detail: 'ready' } : { ok: false, detail: String(res.status) };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') return { ok: false, detail: 'timeout' };
      return { ok: false, detail: e.cause?.code ?? e.message };
    }
  });
}
