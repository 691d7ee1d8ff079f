import { ensureBackend, stopBackendProcess } from '../backends/lifecycle.js';
import { createBackends } from '../backends/registry.js';
import type { Backend, BackendContext, BackendName } from '../backends/types.js';
import type { Command } from '../cli-args.js';
import { BrewopsError, isBrewopsError } from '../errors.js';
import { ensureDir, resolvePaths } from '../paths.js';
import { readPorts } from '../ports.js';
import { terminateGroup } from '../process/pids.js';
import { seconds, stderrProgress, type Progress } from '../progress.js';
import { emptyState, loadState, saveState, type BrewopsState } from '../state.js';
import { supervisorClient, type SupervisorClient } from '../supervisor/client.js';
import { isServiceName, notBuiltReason } from '../supervisor/services.js';
import { instanceEnv, printSummary } from './up-summary.js';
import { pushConfigForUp } from './config-up.js';
import { resolveReplicas } from '../replicas.js';
import { waitForInstances } from './instances-wait.js';
import { stopLeftoverInstances } from './leftovers.js';
import { reportFailure } from './report.js';
import { startSupervisor, supervisorRunning } from './supervisor-start.js';
import { ensureGatewayCredentials } from '../secrets.js';

type UpCommand = Extract<Command, { command: 'up' }>;

/** Instances must all be ready this long after the supervisor is up. */
const INSTANCES_TIMEOUT_MS = 60_000;

/**
 * `brewops up`: every backend in parallel (install → start → ready, or reuse), then the
 * supervisor and its instances. On any failure it reports the cause, the fix and the log,
 * stops what this run started, and returns 1.
 */
export async function up(command: UpCommand): Promise<number> {
  let cmd = command;
  const t0 = Date.now();
  const paths = resolvePaths();
  const ports = readPorts();
  ensureDir(paths.logsDir);
  const progress = stderrProgress();
  const ctx: BackendContext = { paths, ports, progress };
  const prior = loadState(paths);
  const state: BrewopsState = {
    ...emptyState(paths.root, `http://127.0.0.1:${ports.gateway}`),
    backends: { ...prior?.backends },
    supervisor: prior?.supervisor ?? null,
  };
  saveState(paths, state);

  const started: Backend[] = [];
  let startedSupervisor = false;
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);

  const backends = createBackends(ctx);
  const failures: Array<{ name: string; error: unknown }> = [];
  await Promise.all(backends.map(async (b) => {
    try {
      const r = await ensureBackend(b, ctx, prior?.backends[b.name], (rec) => {
        started.push(b);
        state.backends[b.name] = rec;
        saveState(paths, state);
      }, abort.signal);
      state.backends[b.name] = r.record;
      saveState(paths, state);
    } catch (error) {
      if (isBrewopsError(error) && error.code === 'interrupted' && abort.signal.aborted) return;
      failures.push({ name: b.name, error });
      reportFailure(paths, b.name, error); // now, not after the other backends wind down
      if (!abort.signal.aborted) progress.step('up', 'stopping the other backends…');
      abort.abort();
    }
  }));
  if (abort.signal.aborted && failures.length === 0) {
    failures.push({ name: 'up', error: new BrewopsError('interrupted', 'interrupted (SIGINT)') });
  }
  const reported = failures.length;

  if (failures.length === 0) {
    try {
      // The gateway requires credentials; `up` provisions a dev API key (.brewops/secrets/dev-api-key).
      const env = { ...instanceEnv(state, ports), ...ensureGatewayCredentials(paths.stateDir) };
      const configured = await pushConfigForUp(paths.root, state.backends['etcd']?.url, progress);
      // replica counts: --replicas, else config/ (`replicas:` of each service), else the defaults
      const { replicas, decided } = resolveReplicas(cmd.replicas, cmd.replicasGiven, configured);
      cmd = { ...cmd, replicas, replicasGiven: decided };
      if (await supervisorRunning(prior?.supervisor ?? null, paths.stateDir)) {
        progress.step('supervisor', `already running (pid ${prior!.supervisor!.pid})`);
        await reconcile(supervisorClient(state), cmd, paths.root, progress);
      } else {
        await stopLeftoverInstances(paths, (line) => progress.step('supervisor', line));
        state.supervisor = await startSupervisor(ctx, cmd.replicas, env, (rec) => {
          startedSupervisor = true;
          state.supervisor = rec;
          saveState(paths, state);
        });
        saveState(paths, state);
      }
      const outcome = await waitForInstances(supervisorClient(state), progress, INSTANCES_TIMEOUT_MS, abort.signal);
      for (const f of outcome.failures) failures.push({ name: f.id, error: f.error });
      if (failures.length === 0) {
        process.removeListener('SIGINT', onSigint);
        printSummary(state, ports, paths, outcome.last, Date.now() - t0);
        return 0;
      }
    } catch (error) {
      failures.push({ name: 'supervisor', error });
    }
  }

  process.removeListener('SIGINT', onSigint);
  for (const f of failures.slice(reported)) reportFailure(paths, f.name, f.error);
  await rollback(state, started, startedSupervisor, ctx);
  process.stderr.write(`brewops up failed after ${seconds(Date.now() - t0)}; stopped what this run started.\n`);
  return 1;
}

/**
 * With a supervisor already running: apply `--replicas`, start services that were skipped
 * before (built since), and start instances that exited or were stopped.
 */
async function reconcile(client: SupervisorClient, cmd: UpCommand, root: string, progress: Progress): Promise<void> {
  for (const service of cmd.replicasGiven) await client.scale(service, cmd.replicas[service]);
  const { instances, skipped } = await client.list();
  for (const s of skipped) {
    if (!isServiceName(s.service) || cmd.replicas[s.service] === 0 || notBuiltReason(root, s.service) !== null) continue;
    await client.scale(s.service, cmd.replicas[s.service]);
    progress.step(s.service, `built now: starting ${cmd.replicas[s.service]} instance(s)`);
  }
  for (const i of instances.filter((x) => x.state === 'exited' || x.state === 'stopped')) {
    await client.start(i.id);
    progress.step(i.id, `was ${i.state}: starting it again`);
  }
}

/** Stops what this run started (supervisor first, then backends), leaving reused ones alone. */
async function rollback(state: BrewopsState, started: Backend[], startedSupervisor: boolean, ctx: BackendContext): Promise<void> {
  if (startedSupervisor && state.supervisor) {
    await terminateGroup(state.supervisor.pid, 15_000);
    ctx.progress.step('supervisor', `stopped (pid ${state.supervisor.pid})`);
    state.supervisor = null;
  }
  await Promise.all(started.map(async (b) => {
    const rec = state.backends[b.name as BackendName];
    if (!rec) return;
    const outcome = await stopBackendProcess(b, rec);
    ctx.progress.step(b.name, `${outcome} (pid ${rec.pid})`);
    rec.pid = null;
  }));
  saveState(ctx.paths, state);
}
