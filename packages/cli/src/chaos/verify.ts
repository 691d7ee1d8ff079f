import { actionText, type Scenario } from './catalog.js';
import type { EventsFile } from './events.js';
import { observedActions, runScenario, type RunResult, type Step } from './run.js';
import type { Stack } from './stack.js';
import { resolveTarget, targetInstances } from './target.js';
import { sleep } from '../probe.js';

export interface VerifyRow {
  readonly scenario: string;
  readonly target: string;
  readonly expectedAlert: string;
  readonly fired: string;
  readonly expectedAction: string;
  readonly observedAction: string;
  readonly recovered: string;
  /** Every checked column as expected (a skipped scenario counts as ok). */
  readonly ok: boolean;
  readonly misses: readonly string[];
}

/** Whether `expected` occurs in `observed` in order (other actions may come in between). */
export function inOrder(expected: readonly string[], observed: readonly string[]): boolean {
  let i = 0;
  for (const o of observed) if (i < expected.length && o === expected[i]) i++;
  return i === expected.length;
}

/** Compares one run with its scenario's expectations. Pure. */
export function judge(s: Scenario, r: RunResult): VerifyRow {
  const expectedAlert = s.alert.rule === null ? 'none' : `${s.alert.rule} (for: ${s.alert.for})`;
  const base = { scenario: s.name, target: r.target, expectedAlert, expectedAction: actionText(s.actions) };
  if (r.refused !== null) {
    return { ...base, fired: '-', observedAction: '-', recovered: `skipped: ${r.refused}`, ok: true, misses: [] };
  }
  const misses: string[] = [];
  const seen = r.alerts.filter((a) => a.name === s.alert.rule);
  const best = seen.some((a) => a.state === 'firing') ? 'firing' : seen.length > 0 ? 'pending' : null;
  let fired: string;
  if (s.alert.rule === null) fired = '-';
  else if (s.alert.check === 'pending') {
    fired = best ?? 'NO';
    if (best === null) misses.push(`alert ${s.alert.rule} never pending`);
  } else fired = `not checked (for: ${s.alert.for})${best ? `; seen ${best}` : ''}`;

  const observed = observedActions(r.incidents);
  const plain = observed.map((a) => a.replace(' (dry-run)', ''));
  let observedAction: string;
  if (r.controllerDryRun === null) {
    observedAction = 'controller unreachable';
    if (s.actions.length > 0) misses.push('controller unreachable');
  } else {
    observedAction = actionText(observed);
    const ok = s.actions.length === 0 ? plain.length === 0 : inOrder(s.actions, plain);
    if (!ok) misses.push(`controller: expected ${actionText(s.actions)}, observed ${observedAction}`);
  }
  let recovered: string;
  if (r.recoveredAt !== null && r.clearedAt !== null) recovered = `yes (${((r.recoveredAt - r.clearedAt) / 1000).toFixed(1)} s ≤ ${s.recoveryBoundMs / 1000} s)`;
  else {
    recovered = `NO (bound ${s.recoveryBoundMs / 1000} s)`;
    misses.push('not recovered within the bound');
  }
  return { ...base, fired, observedAction, recovered, ok: misses.length === 0, misses };
}

/** Waits (bounded) until every instance the controller tracks is healthy and routable, so one run does not spill into the next. */
async function settle(stack: Stack, maxMs: number): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const c = await stack.controller();
    const instances = await stack.instances().catch(() => []);
    const controllerCalm = c === null || c.instances.every((i) => i.flagged !== null || (i.state === 'healthy' && !i.rerouted && i.pending === null));
    if (controllerCalm && instances.every((i) => i.state === 'ready' || i.state === 'stopped')) return true;
    await sleep(250);
  }
  return false;
}

export interface VerifyOptions {
  readonly say: (step: Step, scenario: string) => void;
  readonly events: EventsFile;
  readonly signal: AbortSignal;
}

/** Runs the scenarios one after the other with their verify target and duration. */
export async function verifyCatalog(stack: Stack, scenarios: readonly Scenario[], opts: VerifyOptions): Promise<VerifyRow[]> {
  const rows: VerifyRow[] = [];
  for (const s of scenarios) {
    if (opts.signal.aborted) break;
    const settled = await settle(stack, 30_000);
    const instances = await stack.instances();
    const target = resolveTarget(s, s.verify.target, instances);
    const c = await stack.controller();
    const flagged = s.actions.length === 0 ? undefined : c?.instances.find((i) => targetInstances(target).includes(i.instanceId) && i.flagged !== null);
    if (flagged) {
      rows.push({
        scenario: s.name, target: s.verify.target, expectedAlert: s.alert.rule ?? 'none', fired: '-', expectedAction: actionText(s.actions),
        observedAction: `target flagged by the controller: ${flagged.flagged}`, recovered: '-', ok: false, misses: ['target flagged'],
      });
      continue;
    }
    if (!settled) opts.say({ at: Date.now(), what: 'the stack did not settle within 30 s; running anyway' }, s.name);
    const r = await runScenario(stack, s, target, { durationMs: s.verify.durationMs, say: (st) => opts.say(st, s.name), events: opts.events, signal: opts.signal });
    rows.push(judge(s, r));
  }
  return rows;
}

/** The verify table, fixed-width columns. */
export function formatTable(rows: readonly VerifyRow[]): string {
  const head = ['scenario', 'target', 'expected alert', 'fired?', 'expected action', 'observed action', 'recovered within bound?', 'ok'];
  const data = rows.map((r) => [r.scenario, r.target, r.expectedAlert, r.fired, r.expectedAction, r.observedAction, r.recovered, r.ok ? 'ok' : 'MISS']);
  const widths = head.map((h, i) => Math.max(h.length, ...data.map((d) => d[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...data.map(line)].join('\n');
}
