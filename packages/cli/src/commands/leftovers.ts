import type { Paths } from '../paths.js';
import { isOurs, terminateGroup } from '../process/pids.js';
import { readInstancePids } from '../supervisor/config.js';

/**
 * Stops instances recorded in instances.json that outlived their supervisor (it was killed),
 * so they neither hold ports (the gateway's 8080) nor linger after `down`. Returns their pids.
 */
export async function stopLeftoverInstances(paths: Paths, say: (line: string) => void): Promise<Array<{ pid: number; match: string }>> {
  const alive = (readInstancePids(paths.stateDir)?.instances ?? []).filter((i) => isOurs(i.pid, i.match));
  await Promise.all(alive.map(async (inst) => {
    await terminateGroup(inst.pid!, 10_000);
    say(`stopped leftover instance ${inst.id} (pid ${inst.pid})`);
  }));
  return alive.map((i) => ({ pid: i.pid!, match: i.match }));
}
