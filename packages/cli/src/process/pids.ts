import { readFileSync } from 'node:fs';
import { sleep } from '../probe.js';

/** True when `pid` is a live process (zombies count as gone: PID 1 here may not reap them). */
export function isAlive(pid: number | null | undefined): pid is number {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The command line of a process, args joined by spaces; '' when it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/**
 * True when `pid` is alive and its command line contains `match`: a recorded pid that was
 * reused by an unrelated process after a reboot is not ours and must not be signalled.
 */
export function isOurs(pid: number | null | undefined, match: string): pid is number {
  return isAlive(pid) && commandLine(pid).includes(match);
}

function signal(pid: number, sig: NodeJS.Signals, group: boolean): void {
  try {
    process.kill(group ? -pid : pid, sig);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ESRCH') throw err;
    if (group) signal(pid, sig, false); // not a group leader: signal the process itself
  }
}

/** Waits until every pid is gone; returns those still alive at the deadline. */
export async function waitGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter((p) => isAlive(p));
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(100);
    alive = alive.filter((p) => isAlive(p));
  }
  return alive;
}

export interface TerminateResult {
  readonly pid: number;
  /** True when SIGTERM was not enough. */
  readonly killed: boolean;
}

/**
 * SIGTERM to the process group led by `pid` (every backend and instance is started as a group
 * leader), then SIGKILL to the group after `graceMs`, then waits until the leader is gone.
 */
export async function terminateGroup(pid: number, graceMs: number): Promise<TerminateResult> {
  if (!isAlive(pid)) return { pid, killed: false };
  signal(pid, 'SIGTERM', true);
  // A stopped (SIGSTOP) process only acts on the SIGTERM once continued: without this a hung
  // instance would sit out the whole grace period before the SIGKILL.
  signal(pid, 'SIGCONT', true);
  if ((await waitGone([pid], graceMs)).length === 0) {
    signal(pid, 'SIGKILL', true); // leftovers in the group, if any
    return { pid, killed: false };
  }
  signal(pid, 'SIGKILL', true);
  await waitGone([pid], 5000);
  return { pid, killed: true };
}

/**
 * Waits (best effort) until the pids no longer exist at all, zombies included: an exited
 * orphan stays a zombie until PID 1 reaps it, and `kill(pid, 0)` still succeeds meanwhile.
 */
export async function waitReaped(pids: readonly number[], timeoutMs: number): Promise<void> {
  const exists = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  };
  const deadline = Date.now() + timeoutMs;
  while (pids.some(exists) && Date.now() < deadline) await sleep(50);
}
