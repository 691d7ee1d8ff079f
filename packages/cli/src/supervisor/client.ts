import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { BrewopsError } from '../errors.js';
import type { BrewopsState } from '../state.js';
import type { InstancesResponse, InstanceView } from './types.js';

/** Typed client of the supervisor's admin API (used by `status`, `up` and the e2e tests). */
export interface SupervisorClient {
  readonly url: string;
  /** Every instance with its state. */
  instances(): Promise<InstanceView[]>;
  /** Instances plus the services that were skipped (not built). */
  list(): Promise<InstancesResponse>;
  restart(id: string): Promise<InstanceView>;
  stop(id: string): Promise<InstanceView>;
  start(id: string): Promise<InstanceView>;
  scale(service: string, replicas: number): Promise<InstanceView[]>;
}

async function call<T>(url: string, init: RequestInit, timeoutMs: number): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new BrewopsError('supervisor_unreachable', `supervisor at ${url} does not answer (${(err as Error).message})`,
      'run brewops status; brewops up starts it again');
  }
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (!res.ok) {
    throw new Error(`${init.method ?? 'GET'} ${url} → ${res.status} ${body.error?.code ?? ''}: ${body.error?.message ?? ''}`.trim());
  }
  return body as T;
}

/**
 * A client for the supervisor recorded in state.json. Mutations read the bearer token from the
 * token file (written by `up`, mode 0600).
 */
export function supervisorClient(state: Pick<BrewopsState, 'supervisor' | 'root'>, timeoutMs = 30_000): SupervisorClient {
  const sup = state.supervisor;
  if (!sup) throw new BrewopsError('no_state', 'no supervisor in state.json (stack is down)', 'run brewops up');
  const tokenFile = isAbsolute(sup.tokenFile) ? sup.tokenFile : join(state.root, sup.tokenFile);
  const post = <T>(path: string, body: unknown = {}): Promise<T> =>
    call<T>(`${sup.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${readFileSync(tokenFile, 'utf8').trim()}` },
      body: JSON.stringify(body),
    }, timeoutMs);
  const list = (): Promise<InstancesResponse> => call<InstancesResponse>(`${sup.url}/v1/instances`, {}, 5000);
  return {
    url: sup.url,
    list,
    instances: async () => (await list()).instances,
    restart: (id) => post(`/v1/instances/${encodeURIComponent(id)}/restart`),
    stop: (id) => post(`/v1/instances/${encodeURIComponent(id)}/stop`),
    start: (id) => post(`/v1/instances/${encodeURIComponent(id)}/start`),
    scale: async (service, replicas) =>
      (await post<{ instances: InstanceView[] }>(`/v1/services/${encodeURIComponent(service)}/scale`, { replicas })).instances,
  };
}
