import { BrewopsError } from '../errors.js';
import { sleep } from '../probe.js';
import { seconds, type Progress } from '../progress.js';
import type { SupervisorClient } from '../supervisor/client.js';
import type { InstancesResponse, InstanceView } from '../supervisor/types.js';

export interface InstanceFailure {
  readonly id: string;
  readonly error: BrewopsError;
}

export interface InstancesOutcome {
  readonly last: InstancesResponse;
  readonly failures: InstanceFailure[];
}

const fixFor = (id: string): string => `read the log above (brewops logs ${id}); the instance must register in etcd and answer /health/ready with 200`;

/**
 * Waits until every instance the supervisor started is ready. Reports each as it gets there,
 * warns about skipped services, and fails fast on an instance that exited.
 */
export async function waitForInstances(
  client: SupervisorClient,
  progress: Progress,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<InstancesOutcome> {
  const deadline = Date.now() + timeoutMs;
  const reported = new Set<string>();
  let warned = false;
  for (;;) {
    const last = await client.list();
    if (!warned) {
      warned = true;
      for (const s of last.skipped) progress.warn(`${s.service} skipped: ${s.reason}`);
      const already = last.instances.filter((i) => i.state === 'ready');
      for (const i of already) reported.add(i.id);
      if (already.length > 0) progress.step('services', `already ready: ${already.map((i) => i.id).join(', ')}`);
      const pending = last.instances.filter((i) => i.state !== 'ready');
      if (pending.length > 0) progress.step('services', `waiting for ${pending.map((i) => i.id).join(', ')}…`);
    }
    for (const i of last.instances) {
      if (i.state === 'ready' && !reported.has(i.id)) {
        reported.add(i.id);
        const took = i.startedAt ? ` in ${seconds(Date.now() - Date.parse(i.startedAt))}` : '';
        progress.step(i.id, `ready${took} (${i.url ?? '?'})`);
      }
    }
    const exited = last.instances.filter((i) => i.state === 'exited' || i.state === 'stopped');
    if (exited.length > 0) {
      return { last, failures: exited.map((i) => ({ id: i.id, error: new BrewopsError('exited', `${i.detail} before it was ready`, fixFor(i.id)) })) };
    }
    const waiting: InstanceView[] = last.instances.filter((i) => i.state !== 'ready');
    if (waiting.length === 0) return { last, failures: [] };
    if (signal?.aborted) throw new BrewopsError('interrupted', 'interrupted');
    if (Date.now() > deadline) {
      return {
        last,
        failures: waiting.map((i) => ({
          id: i.id,
          error: new BrewopsError('not_ready', `not ready after ${seconds(timeoutMs)} (${i.detail})`, fixFor(i.id)),
        })),
      };
    }
    await sleep(500, signal);
  }
}
