/**
 * What chaos reads and drives on the live stack: the supervisor (instances, pids, start), the
 * controller's incidents, Prometheus alerts, backend readiness. Every call is bounded.
 */
import { createBackend } from '../backends/registry.js';
import type { BackendName } from '../backends/types.js';
import { BrewopsError } from '../errors.js';
import { resolvePaths } from '../paths.js';
import { readPorts } from '../ports.js';
import { silentProgress } from '../progress.js';
import { loadState, type BrewopsState } from '../state.js';
import { supervisorClient, type SupervisorClient } from '../supervisor/client.js';
import type { InstanceView } from '../supervisor/types.js';

export interface ControllerTimelineEntry { readonly at: string; readonly type: string; readonly detail: string; readonly action?: string; readonly result?: string }
export interface ControllerIncident {
  readonly id: string; readonly service: string; readonly instanceId: string; readonly status: string;
  readonly openedAt: string; readonly closedAt: string | null; readonly dryRun: boolean; readonly timeline: readonly ControllerTimelineEntry[];
}
export interface ControllerInstance { readonly service: string; readonly instanceId: string; readonly state: string; readonly rerouted: boolean; readonly flagged: string | null; readonly pending: string | null }
export interface ControllerView { readonly dryRun: boolean; readonly instances: readonly ControllerInstance[]; readonly incidents: readonly ControllerIncident[] }

export interface PromAlert { readonly labels: Readonly<Record<string, string>>; readonly state: string; readonly activeAt?: string }

export interface Stack {
  readonly state: BrewopsState;
  readonly supervisor: SupervisorClient;
  instances(): Promise<InstanceView[]>;
  /** The controller's view, or null when it does not answer. */
  controller(): Promise<ControllerView | null>;
  /** Prometheus alerts, pending and firing; null when Prometheus does not answer. */
  alerts(): Promise<PromAlert[] | null>;
  backendReady(name: BackendName): Promise<boolean>;
}

export const controllerUrl = (): string => process.env['BREWOPS_CONTROLLER_URL'] ?? 'http://127.0.0.1:9600';

async function getJson<T>(url: string, timeoutMs: number): Promise<T | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? ((await res.json()) as T) : null;
  } catch {
    return null;
  }
}

export function openStack(): Stack {
  const paths = resolvePaths();
  const state = loadState(paths);
  if (!state || !state.supervisor) throw new BrewopsError('no_state', `the stack is not up (no supervisor in ${paths.stateFile})`, 'run brewops up');
  const supervisor = supervisorClient(state, 30_000);
  const ctx = { paths, ports: readPorts(), progress: silentProgress };
  const promUrl = state.backends['prometheus']?.url ?? 'http://127.0.0.1:9090';
  return {
    state,
    supervisor,
    instances: () => supervisor.instances(),
    controller: () => getJson<ControllerView>(`${controllerUrl()}/v1/incidents`, 2000),
    alerts: async () => (await getJson<{ data: { alerts: PromAlert[] } }>(`${promUrl}/api/v1/alerts`, 2000))?.data.alerts ?? null,
    backendReady: async (name) => {
      try {
        return (await createBackend(name, ctx).ready()).ready;
      } catch {
        return false;
      }
    },
  };
}
