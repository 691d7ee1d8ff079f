import { BrewopsError, describe, isBrewopsError } from '../errors.js';
import { displayPath, logFile } from '../paths.js';
import { portEnvName, type PortConfig } from '../ports.js';
import { isPortOpen, sleep, type Readiness } from '../probe.js';
import { isOurs } from '../process/pids.js';
import { describePortUse } from '../process/port-owner.js';
import { describeExit, type ExitInfo } from '../process/spawn.js';
import { seconds } from '../progress.js';
import type { BackendRecord } from '../state.js';
import type { Backend, BackendContext, BackendProcess } from './types.js';

/** Which env variable moves each backend port (for "port in use" fix hints). */
const PORT_KEYS: Record<string, keyof PortConfig> = {
  'rabbitmq.amqp': 'rabbitmqAmqp',
  'rabbitmq.management': 'rabbitmqManagement',
  'rabbitmq.prometheus': 'rabbitmqPrometheus',
  'etcd.client': 'etcdClient',
  'etcd.peer': 'etcdPeer',
  'zipkin.http': 'zipkin',
  'opensearch.http': 'opensearch',
  'prometheus.http': 'prometheus',
  'alertmanager.http': 'alertmanager',
};

export function backendRecord(b: Backend, ctx: BackendContext, p: { pid: number | null; owned: boolean }): BackendRecord {
  return { pid: p.pid, owned: p.owned, url: b.url, ports: { ...b.ports }, log: displayPath(ctx.paths, logFile(ctx.paths, b.name)) };
}

/** Polls `ready()` until it passes, the process exits, the deadline passes, or `signal` aborts. */
export async function waitReady(b: Backend, exited: Promise<ExitInfo> | null, deadline: number, signal?: AbortSignal): Promise<void> {
  let exit: ExitInfo | null = null;
  void exited?.then((e) => (exit = e));
  let last: Readiness = { ready: false, detail: 'not checked yet' };
  for (;;) {
    if (signal?.aborted) throw new BrewopsError('interrupted', 'interrupted');
    if (exit) {
      throw new BrewopsError('exited', `its process ${describeExit(exit)} before it was ready`, b.fixHint);
    }
    last = await b.ready();
    if (last.ready) return;
    if (Date.now() > deadline) {
      throw new BrewopsError('not_ready', `not ready after ${seconds(b.readyTimeoutMs)} (${last.detail})`, b.fixHint);
    }
    await sleep(300, signal);
  }
}

export type EnsureOutcome = 'already running' | 'reused' | 'started';

export interface EnsureResult {
  readonly record: BackendRecord;
  readonly outcome: EnsureOutcome;
}

/**
 * Brings one backend to ready: reuses ours when it still runs, adopts a foreign server where
 * the backend allows it, otherwise checks its ports, installs what is missing, starts it and
 * waits. `onStarted` gets the record as soon as a process exists, so a failure later can stop it.
 */
export async function ensureBackend(
  b: Backend,
  ctx: BackendContext,
  prior: BackendRecord | undefined,
  onStarted: (record: BackendRecord) => void,
  signal?: AbortSignal,
): Promise<EnsureResult> {
  const say = (msg: string): void => ctx.progress.step(b.name, msg);
  const t0 = Date.now();
  if (prior?.owned && isOurs(prior.pid, b.processMatch)) {
    if (!(await b.ready()).ready) {
      say(`running (pid ${prior.pid}) but not ready yet, waiting…`);
      await waitReady(b, null, t0 + b.readyTimeoutMs, signal);
    }
    await b.refresh?.();
    say(`already running (pid ${prior.pid})`);
    return { record: backendRecord(b, ctx, { pid: prior.pid, owned: true }), outcome: 'already running' };
  }

  const adopted: BackendProcess | null = b.adopt ? await b.adopt() : null;
  if (adopted) {
    await waitReady(b, null, Date.now() + b.readyTimeoutMs, signal);
    say(`ready (reused, not started by brewops)`);
    return { record: backendRecord(b, ctx, adopted), outcome: 'reused' };
  }

  for (const [portName, port] of Object.entries(b.ports)) {
    if (await isPortOpen(port)) {
      const key = PORT_KEYS[`${b.name}.${portName}`];
      throw new BrewopsError('port_in_use', describePortUse(port),
        `stop that process, or run with ${key ? portEnvName(key) : 'another port'}=<free port>`);
    }
  }

  if (!b.isInstalled()) {
    const t = Date.now();
    await b.install();
    say(`installed in ${seconds(Date.now() - t)}`);
  }
  if (signal?.aborted) throw new BrewopsError('interrupted', 'interrupted');

  say('starting…');
  const started = Date.now();
  let proc: BackendProcess;
  try {
    proc = await b.start();
  } catch (err) {
    if (isBrewopsError(err)) throw err;
    throw new BrewopsError('start_failed', `could not start: ${describe(err)}`, b.fixHint);
  }
  onStarted(backendRecord(b, ctx, proc));
  await waitReady(b, proc.exited, started + b.readyTimeoutMs, signal);
  say(`ready in ${seconds(Date.now() - started)}`);
  return { record: backendRecord(b, ctx, proc), outcome: 'started' };
}

export type StopOutcome = 'stopped' | 'killed' | 'not running' | 'not ours';

/** Stops a backend brewops started; never touches one it reused. */
export async function stopBackendProcess(b: Backend, record: BackendRecord): Promise<StopOutcome> {
  if (!record.owned) return 'not ours';
  if (!isOurs(record.pid, b.processMatch)) return 'not running';
  const r = await b.stop(record.pid);
  return r.killed ? 'killed' : 'stopped';
}
