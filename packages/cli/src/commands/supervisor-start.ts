import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendContext } from '../backends/types.js';
import { BrewopsError } from '../errors.js';
import { displayPath, logFile } from '../paths.js';
import { isPortOpen, probeHttp, sleep } from '../probe.js';
import { isOurs } from '../process/pids.js';
import { describePortUse } from '../process/port-owner.js';
import { describeExit, spawnDetached, type ExitInfo } from '../process/spawn.js';
import { seconds } from '../progress.js';
import type { SupervisorRecord } from '../state.js';
import { writeSupervisorConfig, type SupervisorConfig } from '../supervisor/config.js';
import type { ServiceName } from '../supervisor/services.js';

/** Substring of the supervisor's command line, unique per state dir. */
export function supervisorMatch(stateDir: string): string {
  return `--state-dir ${stateDir}`;
}

export const SUPERVISOR_ENTRY = join(__dirname, '..', 'supervisor', 'main.js');

/** True when the recorded supervisor is alive and its admin API answers. */
export async function supervisorRunning(rec: SupervisorRecord | null, stateDir: string): Promise<boolean> {
  if (!rec || !isOurs(rec.pid, supervisorMatch(stateDir))) return false;
  return (await probeHttp(`${rec.url}/health`)).status === 200;
}

/**
 * Starts the supervisor detached with a fresh admin token and waits for its API.
 * `env` is what every instance gets (backend URLs, LOG_LEVEL).
 */
export async function startSupervisor(
  ctx: BackendContext,
  replicas: Record<ServiceName, number>,
  env: Record<string, string>,
  onStarted: (rec: SupervisorRecord) => void,
): Promise<SupervisorRecord> {
  const { paths, ports } = ctx;
  const url = `http://127.0.0.1:${ports.supervisor}`;
  if (await isPortOpen(ports.supervisor)) {
    throw new BrewopsError('port_in_use', describePortUse(ports.supervisor), 'stop that process, or run with BREWOPS_SUPERVISOR_PORT=<free port>');
  }
  writeFileSync(paths.tokenFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const cfg: SupervisorConfig = {
    root: paths.root,
    stateDir: paths.stateDir,
    logsDir: paths.logsDir,
    port: ports.supervisor,
    tokenFile: paths.tokenFile,
    etcdUrl: `http://127.0.0.1:${ports.etcdClient}`,
    gatewayPort: ports.gateway,
    replicas,
    env,
  };
  writeSupervisorConfig(cfg);
  const t0 = Date.now();
  ctx.progress.step('supervisor', 'starting…');
  const p = await spawnDetached(process.execPath, [SUPERVISOR_ENTRY, '--state-dir', paths.stateDir], {
    cwd: paths.root,
    logFile: logFile(paths, 'supervisor'),
  });
  const rec: SupervisorRecord = { pid: p.pid, url, tokenFile: displayPath(paths, paths.tokenFile) };
  onStarted(rec);
  let exit: ExitInfo | null = null;
  void p.exited.then((e) => (exit = e));
  while (Date.now() - t0 < 15_000) {
    if (exit) throw new BrewopsError('exited', `its process ${describeExit(exit)} before its API answered`, 'read the log above');
    if ((await probeHttp(`${url}/health`, {}, 1000)).status === 200) {
      ctx.progress.step('supervisor', `ready in ${seconds(Date.now() - t0)} (${url})`);
      return rec;
    }
    await sleep(200);
  }
  throw new BrewopsError('not_ready', `admin API ${url} did not answer within 15 s`, 'read the log above');
}
