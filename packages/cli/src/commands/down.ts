import { spawnSync } from 'node:child_process';
import { stopBackendProcess } from '../backends/lifecycle.js';
import { createBackend } from '../backends/registry.js';
import { BACKEND_NAMES, type BackendContext } from '../backends/types.js';
import { resolvePaths } from '../paths.js';
import { readPorts } from '../ports.js';
import { commandLine, isOurs, terminateGroup, waitReaped } from '../process/pids.js';
import { seconds, silentProgress } from '../progress.js';
import { loadState, saveState } from '../state.js';
import { stopLeftoverInstances } from './leftovers.js';
import { supervisorMatch } from './supervisor-start.js';

/** Processes whose command line mentions the state dir (every backend brewops starts does). */
function processesUnder(stateDir: string): number[] {
  const r = spawnSync('pgrep', ['-f', stateDir], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').map(Number).filter((p) => p > 0 && p !== process.pid && p !== process.ppid);
}

/**
 * `brewops down`: the supervisor (which stops its instances), leftover instances, then every
 * backend brewops started (SIGTERM, SIGKILL after 15 s, whole process group), in parallel.
 * Servers it only reused are left alone. Returns 1 if a recorded process survived.
 */
export async function down(out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const t0 = Date.now();
  const paths = resolvePaths();
  const say = (s: string): void => void out.write(`${s}\n`);
  const state = loadState(paths);
  if (!state) {
    say(`nothing to stop: no state in ${paths.stateDir}`);
    return 0;
  }
  const ctx: BackendContext = { paths, ports: readPorts(), progress: silentProgress };
  const recorded: Array<{ pid: number; match: string }> = [];
  let stopped = 0;

  const sup = state.supervisor;
  if (sup && isOurs(sup.pid, supervisorMatch(paths.stateDir))) {
    recorded.push({ pid: sup.pid, match: supervisorMatch(paths.stateDir) });
    const r = await terminateGroup(sup.pid, 15_000);
    say(`stopped supervisor (pid ${sup.pid}) and its instances${r.killed ? ' (needed SIGKILL)' : ''}`);
    stopped++;
  }
  state.supervisor = null;
  saveState(paths, state);

  const leftovers = await stopLeftoverInstances(paths, say);
  recorded.push(...leftovers);
  stopped += leftovers.length;

  await Promise.all(BACKEND_NAMES.map(async (name) => {
    const rec = state.backends[name];
    if (!rec || rec.pid === null) return;
    if (!rec.owned) {
      say(`left ${name} running (pid ${rec.pid}): reused, not started by brewops`);
      rec.pid = null;
      return;
    }
    const b = createBackend(name, ctx);
    const pid = rec.pid;
    if (isOurs(pid, b.processMatch)) recorded.push({ pid, match: b.processMatch });
    const t = Date.now();
    const outcome = await stopBackendProcess(b, rec);
    if (outcome === 'stopped' || outcome === 'killed') {
      say(`stopped ${name} (pid ${pid}) in ${seconds(Date.now() - t)}${outcome === 'killed' ? ' (needed SIGKILL)' : ''}`);
      stopped++;
    }
    rec.pid = null;
  }));
  saveState(paths, state);

  const survivors = recorded.filter((r) => isOurs(r.pid, r.match));
  await waitReaped(recorded.map((r) => r.pid).filter((p) => !survivors.some((s) => s.pid === p)), 3000);
  for (const s of survivors) say(`✗ pid ${s.pid} is still running: ${commandLine(s.pid).slice(0, 120)}`);
  for (const pid of processesUnder(paths.stateDir).filter((p) => !survivors.some((s) => s.pid === p))) {
    say(`! pid ${pid} mentions ${paths.stateDir} but was not recorded by brewops (left alone): ${commandLine(pid).slice(0, 120)}`);
  }
  say(stopped === 0 ? 'nothing was running' : `down in ${seconds(Date.now() - t0)}`);
  return survivors.length > 0 ? 1 : 0;
}
