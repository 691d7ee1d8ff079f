/**
 * `brewops chaos list | <scenario> | verify`: fault injection on the live stack (issue 9).
 * Catalog: chaos/catalog.ts (docs/scenarios.md). A fault is always taken back, also on Ctrl-C.
 */
import { CHAOS_USAGE, type ChaosCommand } from '../chaos/args.js';
import { actionText, findScenario, SCENARIOS, type Scenario } from '../chaos/catalog.js';
import { renderScenariosDoc } from '../chaos/doc.js';
import { formatDuration } from '../chaos/duration.js';
import { EventsFile } from '../chaos/events.js';
import { observedActions, runScenario, type Step } from '../chaos/run.js';
import { openStack, type ControllerIncident } from '../chaos/stack.js';
import { resolveTarget, targetName } from '../chaos/target.js';
import { formatTable, judge, verifyCatalog } from '../chaos/verify.js';

export { CHAOS_USAGE };

const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 23);

function printList(): void {
  const rows = SCENARIOS.map((s) => [s.name, s.defaultTarget, formatDuration(s.defaultDurationMs), s.alert.rule ?? 'none', actionText(s.actions), formatDuration(s.recoveryBoundMs)]);
  const head = ['scenario', 'default target', 'duration', 'alert', 'expected controller action', 'recovery bound'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [head, ...rows]) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
  process.stdout.write('\ndetails: docs/scenarios.md\n');
}

function printIncident(inc: ControllerIncident): void {
  process.stdout.write(`controller incident ${inc.id} on ${inc.instanceId} (${inc.status}${inc.dryRun ? ', dry-run' : ''}):\n`);
  for (const t of inc.timeline) {
    process.stdout.write(`  ${clock(Date.parse(t.at))}  ${t.type}${t.action ? ` ${t.action}` : ''}${t.result ? ` → ${t.result}` : ''}: ${t.detail}\n`);
  }
}

/** Aborts on the first Ctrl-C / SIGTERM so the fault is cleared before exiting. */
function interruptible(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const onSignal = (): void => {
    process.stderr.write('brewops: chaos: interrupted, clearing the fault…\n');
    ac.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { signal: ac.signal, dispose: () => { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal); } };
}

async function runOne(cmd: Extract<ChaosCommand, { action: 'run' }>, s: Scenario): Promise<number> {
  const stack = openStack();
  const target = resolveTarget(s, cmd.target, await stack.instances());
  const durationMs = cmd.durationMs ?? s.defaultDurationMs;
  const name = targetName(target);
  if (cmd.dryRun) {
    process.stdout.write(`dry-run: would run ${s.name} on ${name} for ${formatDuration(durationMs)}: ${s.summary}\n`
      + `  expected alert: ${s.alert.rule ?? 'none'}; expected controller action: ${actionText(s.actions)}; recovery bound ${formatDuration(s.recoveryBoundMs)}\n`);
    return 0;
  }
  const t0 = Date.now();
  const say = (st: Step): void => void process.stdout.write(`${clock(st.at)}  +${((st.at - t0) / 1000).toFixed(1).padStart(5)} s  ${st.what}\n`);
  process.stdout.write(`chaos ${s.name} on ${name} for ${formatDuration(durationMs)}: ${s.summary}\n`);
  const { signal, dispose } = interruptible();
  try {
    const r = await runScenario(stack, s, target, { durationMs, say, events: new EventsFile(cmd.eventsFile), signal });
    if (r.refused !== null) {
      process.stderr.write(`brewops: chaos ${s.name}: refused: ${r.refused}\n`);
      if (s.fault.kind === 'backend' && s.fault.backend === 'rabbitmq') process.stderr.write('fix: use broker-disconnect for a per-instance broker outage, or run the stack with a RabbitMQ that brewops up starts itself\n');
      return 1;
    }
    for (const inc of r.incidents) printIncident(inc);
    if (r.incidents.length === 0) process.stdout.write(`controller: ${r.controllerDryRun === null ? 'not reachable' : 'no incident'} (actions observed: ${actionText(observedActions(r.incidents))})\n`);
    const row = judge(s, r);
    process.stdout.write(`expected: alert ${row.expectedAlert}, action ${row.expectedAction}; observed: alert ${row.fired}, action ${row.observedAction}; recovered ${row.recovered}\n`);
    return r.recoveredAt !== null && !signal.aborted ? 0 : 1;
  } finally {
    dispose();
  }
}

async function verify(cmd: Extract<ChaosCommand, { action: 'verify' }>): Promise<number> {
  const stack = openStack();
  const scenarios = cmd.only === null ? SCENARIOS : SCENARIOS.filter((s) => cmd.only!.includes(s.name));
  const t0 = Date.now();
  const log = cmd.json ? process.stderr : process.stdout;
  const { signal, dispose } = interruptible();
  try {
    const rows = await verifyCatalog(stack, scenarios, {
      say: (st, scenario) => void log.write(`${clock(st.at)}  +${((st.at - t0) / 1000).toFixed(1).padStart(6)} s  ${scenario.padEnd(18)} ${st.what}\n`),
      events: new EventsFile(cmd.eventsFile),
      signal,
    });
    const ok = rows.length === scenarios.length && rows.every((r) => r.ok);
    const totalMs = Date.now() - t0;
    if (cmd.json) process.stdout.write(`${JSON.stringify({ ok, totalMs, rows }, null, 2)}\n`);
    else {
      process.stdout.write(`\n${formatTable(rows)}\n\n`);
      for (const r of rows.filter((x) => !x.ok)) process.stdout.write(`MISS ${r.scenario}: ${r.misses.join('; ')}\n`);
      process.stdout.write(`${rows.filter((r) => r.ok).length}/${scenarios.length} scenarios as expected in ${(totalMs / 1000).toFixed(0)} s\n`);
    }
    return ok ? 0 : 1;
  } finally {
    dispose();
  }
}

export async function chaos(cmd: ChaosCommand): Promise<number> {
  switch (cmd.action) {
    case 'list':
      if (cmd.markdown) process.stdout.write(renderScenariosDoc());
      else printList();
      return 0;
    case 'verify':
      return verify(cmd);
    case 'run':
      return runOne(cmd, findScenario(cmd.scenario)!);
  }
}
