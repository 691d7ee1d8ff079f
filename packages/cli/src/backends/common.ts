import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BrewopsError } from '../errors.js';
import { logFile } from '../paths.js';
import { terminateGroup, type TerminateResult } from '../process/pids.js';
import { spawnDetached } from '../process/spawn.js';
import type { BackendContext, BackendProcess } from './types.js';

/** `down` waits this long after SIGTERM before SIGKILL. */
export const STOP_GRACE_MS = 15_000;
export const DEFAULT_READY_TIMEOUT_MS = 60_000;

/** Absolute path of an executable on PATH, or null. */
export function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env['PATH'] ?? '/usr/bin:/bin').split(delimiter)) {
    const p = join(dir, command);
    if (dir && existsSync(p)) return p;
  }
  return null;
}

/** The java binary: $JAVA_HOME/bin/java, else java on PATH. Zipkin 3 and OpenSearch 2 need Java 17+. */
export function javaBinary(): string {
  const home = process.env['JAVA_HOME'];
  const fromHome = home ? join(home, 'bin', 'java') : null;
  const java = fromHome && existsSync(fromHome) ? fromHome : findOnPath('java');
  if (!java) {
    throw new BrewopsError('not_installed', 'java not found (JAVA_HOME unset and no java on PATH)',
      'apt-get install -y openjdk-17-jre-headless (Java 17 or newer)');
  }
  return java;
}

export function requireMaven(): void {
  if (!findOnPath('mvn')) throw new BrewopsError('not_installed', 'mvn not found on PATH', 'apt-get install -y maven');
}

/** Starts a backend's server process detached, logging to `.brewops/logs/<name>.log`. */
export async function startProcess(
  ctx: BackendContext,
  name: string,
  command: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<BackendProcess> {
  const p = await spawnDetached(command, args, {
    cwd: ctx.paths.root,
    logFile: logFile(ctx.paths, name),
    ...(env ? { env: { ...process.env, ...env } } : {}),
  });
  return { pid: p.pid, owned: true, exited: p.exited };
}

export function stopProcess(pid: number): Promise<TerminateResult> {
  return terminateGroup(pid, STOP_GRACE_MS);
}
