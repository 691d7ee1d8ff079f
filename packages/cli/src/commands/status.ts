import { createBackend } from '../backends/registry.js';
import { BACKEND_NAMES, type BackendContext } from '../backends/types.js';
import { resolvePaths } from '../paths.js';
import { readPorts } from '../ports.js';
import { isOurs } from '../process/pids.js';
import { portOwner } from '../process/port-owner.js';
import { silentProgress } from '../progress.js';
import { loadState } from '../state.js';
import { supervisorClient } from '../supervisor/client.js';
import type { InstanceView } from '../supervisor/types.js';
import { supervisorMatch } from './supervisor-start.js';

export type RowState = 'ready' | 'not ready' | 'stopped' | 'exited' | 'skipped';

/** One line of `brewops status` (and one element of `--json`). */
export interface StatusRow {
  readonly kind: 'backend' | 'supervisor' | 'instance' | 'service';
  readonly name: string;
  readonly url: string | null;
  readonly pid: number | null;
  readonly state: RowState;
  readonly detail: string;
}

function instanceRow(i: InstanceView): StatusRow {
  const state: RowState = i.state === 'ready' ? 'ready' : i.state === 'exited' ? 'exited' : i.state === 'stopped' ? 'stopped' : 'not ready';
  const detail = i.state === 'exited' ? String(i.exit?.signal ?? i.exit?.code ?? '?') : i.state === 'starting' ? `starting: ${i.detail}` : i.detail;
  return { kind: 'instance', name: i.id, url: i.url, pid: i.pid, state, detail };
}

/** Collects the rows: every backend, the supervisor, every instance, every skipped service. */
export async function collectStatus(): Promise<StatusRow[]> {
  const paths = resolvePaths();
  const ctx: BackendContext = { paths, ports: readPorts(), progress: silentProgress };
  const state = loadState(paths);
  const rows = await Promise.all(BACKEND_NAMES.map(async (name): Promise<StatusRow> => {
    const b = createBackend(name, ctx);
    const rec = state?.backends[name];
    const url = rec?.url ?? b.url;
    if (!rec) return { kind: 'backend', name, url, pid: null, state: 'stopped', detail: 'never started' };
    if (rec.owned && !isOurs(rec.pid, b.processMatch)) return { kind: 'backend', name, url, pid: null, state: 'stopped', detail: 'not running' };
    const r = await b.ready();
    const pid = rec.pid ?? (rec.owned ? null : portOwner(Object.values(rec.ports)[0] ?? 0)?.pid ?? null);
    const note = rec.owned ? '' : ' (reused, not started by brewops)';
    return { kind: 'backend', name, url, pid, state: r.ready ? 'ready' : 'not ready', detail: `${r.detail}${note}` };
  }));
  const sup = state?.supervisor ?? null;
  if (!sup || !isOurs(sup.pid, supervisorMatch(paths.stateDir))) {
    rows.push({ kind: 'supervisor', name: 'supervisor', url: sup?.url ?? null, pid: null, state: 'stopped', detail: 'not running' });
    return rows;
  }
  try {
    const list = await supervisorClient(state!).list();
    rows.push({ kind: 'supervisor', name: 'supervisor', url: sup.url, pid: sup.pid, state: 'ready', detail: 'ready' });
    rows.push(...list.instances.map(instanceRow));
    for (const s of list.skipped) rows.push({ kind: 'service', name: s.service, url: null, pid: null, state: 'skipped', detail: s.reason });
  } catch (err) {
    rows.push({ kind: 'supervisor', name: 'supervisor', url: sup.url, pid: sup.pid, state: 'not ready', detail: (err as Error).message });
  }
  return rows;
}

export function renderStatusTable(rows: readonly StatusRow[]): string {
  const stateText = (r: StatusRow): string =>
    r.state === 'exited' ? `exited(${r.detail})` : r.state === 'not ready' || r.state === 'skipped' ? `${r.state}: ${r.detail}` : r.state;
  const table = [['NAME', 'URL', 'PID', 'STATE'], ...rows.map((r) => [r.name, r.url ?? '-', r.pid === null ? '-' : String(r.pid), stateText(r)])];
  const widths = [0, 1, 2].map((c) => Math.max(...table.map((row) => row[c]!.length)));
  return table.map((row) => row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell)).join('  ')).join('\n') + '\n';
}

/** `brewops status [--json]`: exit 0 when every row is ready. */
export async function status(json: boolean, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const rows = await collectStatus();
  out.write(json ? `${JSON.stringify(rows, null, 2)}\n` : renderStatusTable(rows));
  return rows.every((r) => r.state === 'ready') ? 0 : 1;
}
