import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureDir } from '../paths.js';

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SpawnedProcess {
  readonly pid: number;
  /** Settles when the process exits (only observable while this process lives). */
  readonly exited: Promise<ExitInfo>;
}

export interface SpawnOptions {
  readonly cwd: string;
  /** stdout and stderr are appended here. */
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
}

export function describeExit(e: ExitInfo): string {
  return e.signal ? `killed by ${e.signal}` : `exited with code ${e.code ?? '?'}`;
}

/**
 * Starts a long-running server detached in its own process group (so it outlives the CLI and
 * can be stopped as a group), with stdout and stderr appended to its log file.
 */
export function spawnDetached(command: string, args: readonly string[], opts: SpawnOptions): Promise<SpawnedProcess> {
  ensureDir(dirname(opts.logFile));
  const fd = openSync(opts.logFile, 'a');
  writeSync(fd, `\n--- ${new Date().toISOString()} brewops: ${command} ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const exited = new Promise<ExitInfo>((res) => child.once('exit', (code, signal) => res({ code, signal })));
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve({ pid: child.pid!, exited });
    });
  });
}
