import { ConfigStore } from '@brewops/platform';
import { configEtcdHosts } from '../commands/config.js';
import { startBackend, stopBackend } from '../index.js';
import { createBackend } from '../backends/registry.js';
import { resolvePaths } from '../paths.js';
import { readPorts } from '../ports.js';
import { isOurs } from '../process/pids.js';
import { silentProgress } from '../progress.js';
import { sleep } from '../probe.js';
import type { Scenario } from './catalog.js';
import type { EventsFile } from './events.js';
import { clearFlags, setFlags } from './fault-config.js';
import type { ControllerIncident, PromAlert, Stack } from './stack.js';
import { targetInstances, targetName, type Target } from './target.js';

export interface Step {
  readonly at: number;
  readonly what: string;
}

/** An alert Prometheus showed during the run, with the most advanced state seen. */
export interface SeenAlert {
  readonly name: string;
  state: 'pending' | 'firing';
  readonly labels: Readonly<Record<string, string>>;
}

export interface RunResult {
  readonly scenario: string;
  readonly target: string;
  /** Why nothing was injected (e.g. a RabbitMQ brewops did not start), else null. */
  readonly refused: string | null;
  readonly injectedAt: number;
  readonly clearedAt: number | null;
  /** When the target was back (ready, and healthy for the controller), null if not within the bound. */
  readonly recoveredAt: number | null;
  readonly steps: readonly Step[];
  readonly alerts: readonly SeenAlert[];
  /** The controller's incidents on the target (any instance for a backend) opened during the run. */
  readonly incidents: readonly ControllerIncident[];
  /** The controller was in dry-run mode (actions only recorded). */
  readonly controllerDryRun: boolean | null;
}

export interface RunOptions {
  readonly durationMs: number;
  readonly say: (step: Step) => void;
  readonly events: EventsFile;
  readonly signal: AbortSignal;
}

/** A fault being applied: `clear` takes it back (idempotent, never throws past a message). */
interface Injected {
  readonly detail: string;
  clear(): Promise<string>;
}

class Refused extends Error {}

function resolveFlags(s: Scenario, at: number): Record<string, unknown> {
  if (s.fault.kind !== 'flags') return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.fault.flags)) out[k] = k === 'crashAt' ? new Date(at).toISOString() : v;
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function inject(stack: Stack, s: Scenario, target: Target, at: number): Promise<Injected> {
  const origin = `chaos ${s.name}`;
  switch (s.fault.kind) {
    case 'flags': {
      if (target.kind === 'backend') throw new Error('flag faults need an instance or service target');
      const instanceId = target.kind === 'instance' ? target.instanceId : null;
      const flags = resolveFlags(s, at);
      const store = new ConfigStore({ hosts: configEtcdHosts() });
      const where = instanceId === null ? `faults` : `faults.instances.${instanceId}`;
      try {
        const { revision, prior } = await setFlags(store, target.service, instanceId, flags, origin);
        return {
          detail: `${Object.entries(flags).map(([k, v]) => `${where}.${k}=${String(v)}`).join(', ')} (config of ${target.service}, etcd revision ${revision})`,
          clear: async () => {
            const store2 = new ConfigStore({ hosts: configEtcdHosts() });
            try {
              const rev = await clearFlags(store2, target.service, instanceId, prior, `${origin} (cleared)`);
              let restarted = '';
              if ('crashAt' in flags) {
                // nobody restarted a crashed instance (e.g. the controller in dry-run): start it, now that the stamp is gone
                const down = (await stack.instances()).filter((i) => targetInstances(target).includes(i.id) && (i.state === 'exited' || i.state === 'stopped'));
                for (const i of down) await stack.supervisor.start(i.id);
                if (down.length > 0) restarted = `; ${down.map((i) => i.id).join(', ')} not restarted by anyone: started through the supervisor`;
              }
              return `${where}: ${Object.keys(flags).join(', ')} put back as before (etcd revision ${rev})${restarted}`;
            } finally {
              store2.close();
            }
          },
        };
      } finally {
        store.close();
      }
    }
    case 'signal': {
      if (target.kind !== 'instance') throw new Error('signals need an instance target');
      const inst = (await stack.instances()).find((i) => i.id === target.instanceId);
      if (!inst || inst.pid === null || !alive(inst.pid)) throw new Refused(`${target.instanceId} is not running (state ${inst?.state ?? 'unknown'}): nothing to signal`);
      const pid = inst.pid;
      const sig = s.fault.signal;
      process.kill(pid, sig);
      return {
        detail: `${sig} to ${target.instanceId} (pid ${pid})`,
        clear: async () => {
          if (sig === 'SIGSTOP') {
            if (!alive(pid)) return `pid ${pid} is gone (restarted meanwhile): no SIGCONT needed`;
            process.kill(pid, 'SIGCONT');
            return `SIGCONT to pid ${pid}`;
          }
          const now = (await stack.instances()).find((i) => i.id === target.instanceId);
          if (now && now.pid !== null && now.pid !== pid && alive(now.pid)) return `${target.instanceId} already runs again (pid ${now.pid}, restarted by the controller)`;
          if (now && (now.state === 'exited' || now.state === 'stopped')) {
            const v = await stack.supervisor.start(target.instanceId);
            return `${target.instanceId} was not restarted: started it through the supervisor (pid ${v.pid})`;
          }
          return `${target.instanceId} state ${now?.state ?? 'unknown'}`;
        },
      };
    }
    case 'backend': {
      const name = s.fault.backend;
      const rec = stack.state.backends[name];
      if (!rec) throw new Refused(`${name} is not in the stack's state (is the stack up?)`);
      if (!rec.owned) {
        throw new Refused(`${name} was not started by brewops (it reuses the server on ${rec.url.replace(/^.*@/, '')}, shared with the machine): brewops never stops it`);
      }
      // kill -9: an abrupt outage that starts at once (a graceful stop can take 15 s)
      if (!isOurs(rec.pid, createBackend(name, { paths: resolvePaths(), ports: readPorts(), progress: silentProgress }).processMatch)) {
        throw new Refused(`${name} is not running (pid ${rec.pid ?? 'none'}): start the stack with brewops up`);
      }
      process.kill(rec.pid, 'SIGKILL');
      await stopBackend(name); // records it as stopped (the process is gone already)
      return {
        detail: `${name} killed (SIGKILL to pid ${rec.pid})`,
        clear: async () => {
          const r = await startBackend(name);
          return `${name} started again and ready (pid ${r.pid})`;
        },
      };
    }
  }
}

/** Whether the target is back: ready at the supervisor (or the backend), healthy and routable for the controller. */
async function recovered(stack: Stack, target: Target): Promise<boolean> {
  if (target.kind === 'backend') return stack.backendReady(target.backend);
  const ids = targetInstances(target);
  const instances = await stack.instances().catch(() => []);
  if (!ids.every((id) => instances.find((i) => i.id === id)?.state === 'ready')) return false;
  const c = await stack.controller();
  if (c === null) return true;
  return ids.every((id) => {
    const v = c.instances.find((i) => i.instanceId === id);
    return v === undefined || (v.state === 'healthy' && !v.rerouted && v.pending === null);
  });
}

function relevant(a: PromAlert, target: Target): boolean {
  const id = a.labels['instance_id'] ?? a.labels['upstream_instance'];
  if (target.kind === 'backend') return true;
  return id === undefined || targetInstances(target).includes(id);
}

/**
 * Runs one scenario: inject, wait `durationMs`, clear (always, also on error or abort), then wait
 * until the target is back or the scenario's recovery bound passed. Meanwhile it notes the alerts
 * Prometheus shows and, at the end, the controller's incidents about the target.
 */
export async function runScenario(stack: Stack, s: Scenario, target: Target, opts: RunOptions): Promise<RunResult> {
  const steps: Step[] = [];
  const step = (what: string): void => {
    const st = { at: Date.now(), what };
    steps.push(st);
    opts.say(st);
  };
  const name = targetName(target);
  const injectedAt = Date.now();
  const seen = new Map<string, SeenAlert>();
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      for (const a of (await stack.alerts()) ?? []) {
        const activeAt = a.activeAt ? Date.parse(a.activeAt) : Date.now();
        if (activeAt < injectedAt - 2000 || !relevant(a, target)) continue;
        const alertname = a.labels['alertname'] ?? '?';
        const key = `${alertname}${JSON.stringify(a.labels)}`;
        const state = a.state === 'firing' ? 'firing' : 'pending';
        const prev = seen.get(key);
        if (!prev) {
          seen.set(key, { name: alertname, state, labels: a.labels });
          step(`alert ${alertname} ${state}`);
        } else if (prev.state === 'pending' && state === 'firing') {
          prev.state = 'firing';
          step(`alert ${alertname} firing`);
        }
      }
      await sleep(1000);
    }
  })();

  let injected: Injected | undefined;
  let refused: string | null = null;
  let clearedAt: number | null = null;
  let recoveredAt: number | null = null;
  try {
    try {
      injected = await inject(stack, s, target, injectedAt);
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      refused = err.message;
      step(`refused: ${refused}`);
    }
    if (injected) {
      opts.events.mark(`chaos ${s.name}`, 'start', name, injectedAt);
      step(`inject  ${injected.detail}`);
      await sleep(opts.durationMs, opts.signal);
      if (opts.signal.aborted) step('interrupted: clearing the fault now');
    }
  } finally {
    if (injected) {
      try {
        const detail = await injected.clear();
        clearedAt = Date.now();
        opts.events.mark(`chaos ${s.name}`, 'end', name, clearedAt);
        step(`clear   ${detail}`);
      } catch (err) {
        step(`clear FAILED: ${(err as Error).message}`);
        watching = false;
        await watcher;
        throw err;
      }
    }
  }
  if (injected && clearedAt !== null) {
    const deadline = clearedAt + s.recoveryBoundMs;
    while (Date.now() <= deadline && !opts.signal.aborted) {
      if (await recovered(stack, target)) {
        recoveredAt = Date.now();
        break;
      }
      await sleep(250);
    }
    step(recoveredAt !== null
      ? `recovered ${name} ready and healthy ${((recoveredAt - clearedAt) / 1000).toFixed(1)} s after the clear (${((recoveredAt - injectedAt) / 1000).toFixed(1)} s after the injection)`
      : `NOT recovered within ${(s.recoveryBoundMs / 1000).toFixed(0)} s after the clear`);
    // a pending alert shows on the next evaluation (5 s): keep looking a little after the recovery
    if (s.alert.check === 'pending' && ![...seen.values()].some((a) => a.name === s.alert.rule)) await sleep(6000, opts.signal);
  }
  watching = false;
  await watcher;

  const view = await stack.controller();
  const ids = targetInstances(target);
  const incidents = (view?.incidents ?? []).filter((i) =>
    Date.parse(i.openedAt) >= injectedAt - 1000 && (target.kind === 'backend' || ids.includes(i.instanceId)));
  return {
    scenario: s.name, target: name, refused, injectedAt, clearedAt, recoveredAt, steps,
    alerts: [...seen.values()], incidents: [...incidents].sort((a, b) => Date.parse(a.openedAt) - Date.parse(b.openedAt)), controllerDryRun: view?.dryRun ?? null,
  };
}

/** Actions the controller took in these incidents, in order: `reroute`, `restart`, ... (`(dry-run)` when only recorded). */
export function observedActions(incidents: readonly ControllerIncident[]): string[] {
  const out: string[] = [];
  for (const inc of incidents) {
    for (const t of inc.timeline) {
      if (t.type !== 'action' || !t.action || t.result === 'error') continue;
      out.push(t.result === 'dry_run' ? `${t.action} (dry-run)` : t.action);
    }
  }
  return out;
}
