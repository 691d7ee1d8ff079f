/**
 * The typed surface of @brewops/cli for tests and tools: read the state `brewops up` wrote,
 * stop and start single backends (chaos and recovery tests), and drive the supervisor.
 */
import { ensureBackend, stopBackendProcess, type StopOutcome } from './backends/lifecycle.js';
import { createBackend } from './backends/registry.js';
import { BACKEND_NAMES, isBackendName, type BackendContext, type BackendName } from './backends/types.js';
import { BrewopsError } from './errors.js';
import { ensureDir, resolvePaths } from './paths.js';
import { readPorts } from './ports.js';
import { silentProgress, type Progress } from './progress.js';
import { emptyState, loadState, saveState, type BackendRecord, type BrewopsState } from './state.js';

export { supervisorClient } from './supervisor/client.js';
export type { SupervisorClient } from './supervisor/client.js';
export type { InstanceState, InstanceView, InstancesResponse, ExitRecord, SkippedService } from './supervisor/types.js';
export type { BackendRecord, BrewopsState, SupervisorRecord } from './state.js';
export type { BackendName } from './backends/types.js';
export type { StopOutcome } from './backends/lifecycle.js';
export { isBrewopsError, BrewopsError } from './errors.js';
export { parseReplicaSpec } from './replicas.js';
export { defineScenario, startLoad, JOURNEY_NAMES } from './load/index.js';
export type { Scenario, JourneyName, JourneyWeights, DurationInput, LoadRun, LoadRunOptions, LoadConfig, LoadResult, ChaosEvent, ChaosEventKind, MarkOptions } from './load/index.js';
export { ensureChromium } from './install/chromium.js';

/** Every backend `brewops up` runs. */
export const backendNames: readonly BackendName[] = BACKEND_NAMES;

/** The state directory (`<root>/.brewops`, or env BREWOPS_HOME). */
export function stateDir(root?: string): string {
  return resolvePaths(root).stateDir;
}

/** `.brewops/state.json`; throws a BrewopsError (code `no_state`) when brewops never ran here. */
export function readState(root?: string): BrewopsState {
  const paths = resolvePaths(root);
  const state = loadState(paths);
  if (!state) throw new BrewopsError('no_state', `no state in ${paths.stateDir}: the stack is not up`, 'run npm run up');
  return state;
}

function contextFor(name: string, root: string | undefined, progress: Progress): BackendContext {
  if (!isBackendName(name)) throw new BrewopsError('unknown_backend', `no backend "${name}" (known: ${BACKEND_NAMES.join(', ')})`);
  return { paths: resolvePaths(root), ports: readPorts(), progress };
}

export interface BackendOptions {
  /** Repository root. @default found upward from this package */
  readonly root?: string;
  /** Progress lines. @default none */
  readonly progress?: Progress;
}

/** Stops one backend brewops started (SIGTERM, SIGKILL after 15 s); a reused one is left alone. */
export async function stopBackend(name: BackendName, opts: BackendOptions = {}): Promise<StopOutcome> {
  const ctx = contextFor(name, opts.root, opts.progress ?? silentProgress);
  const state = loadState(ctx.paths);
  const rec = state?.backends[name];
  if (!state || !rec) return 'not running';
  const outcome = await stopBackendProcess(createBackend(name, ctx), rec);
  if (rec.owned) rec.pid = null;
  saveState(ctx.paths, state);
  return outcome;
}

/**
 * Starts one backend again (or finds it running) and waits until it is ready, e.g. Zipkin after
 * a test stopped it. Throws a BrewopsError with the cause and a fix when it cannot.
 */
export async function startBackend(name: BackendName, opts: BackendOptions = {}): Promise<BackendRecord> {
  const ctx = contextFor(name, opts.root, opts.progress ?? silentProgress);
  ensureDir(ctx.paths.logsDir);
  const state = loadState(ctx.paths) ?? emptyState(ctx.paths.root, `http://127.0.0.1:${ctx.ports.gateway}`);
  const save = (rec: BackendRecord): void => {
    state.backends[name] = rec;
    saveState(ctx.paths, state);
  };
  const r = await ensureBackend(createBackend(name, ctx), ctx, state.backends[name], save);
  save(r.record);
  return r.record;
}
