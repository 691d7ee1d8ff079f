import { spawnSync } from 'node:child_process';
import { commandLine } from './pids.js';

export interface PortOwner {
  readonly pid: number;
  readonly command: string;
}

/** The process listening on a TCP port, via `ss -ltnp`; null when unknown. */
export function portOwner(port: number): PortOwner | null {
  const r = spawnSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8', timeout: 3000 });
  if (r.status !== 0 || !r.stdout) return null;
  const m = /pid=(\d+)/.exec(r.stdout);
  if (!m) return null;
  const pid = Number(m[1]);
  const name = /users:\(\("([^"]+)"/.exec(r.stdout)?.[1] ?? '';
  return { pid, command: commandLine(pid).slice(0, 120) || name };
}

/** "port 9200 is in use by pid 123 (java …)" */
export function describePortUse(port: number): string {
  const owner = portOwner(port);
  return owner ? `port ${port} is in use by pid ${owner.pid} (${owner.command})` : `port ${port} is in use by another process`;
}
