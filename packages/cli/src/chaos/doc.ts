import { actionText, SCENARIOS, type Scenario } from './catalog.js';
import { formatDuration } from './duration.js';

function faultText(s: Scenario): string {
  switch (s.fault.kind) {
    case 'signal':
      return s.fault.signal === 'SIGKILL' ? '`kill -9` of the process' : '`SIGSTOP`, `SIGCONT` at the end';
    case 'backend':
      return `\`kill -9\` of the \`${s.fault.backend}\` backend, started again at the end`;
    case 'flags':
      return Object.entries(s.fault.flags).map(([k, v]) => `\`${k}: ${k === 'crashAt' ? '<injection time>' : String(v)}\``).join(', ');
  }
}

const cell = (t: string): string => t.replace(/\|/g, '\\|');

/** docs/scenarios.md, from the catalog (`brewops chaos list --markdown > docs/scenarios.md`). */
export function renderScenariosDoc(scenarios: readonly Scenario[] = SCENARIOS): string {
  const lines = [
    '# Chaos scenarios',
    '',
    '<!-- Generated from packages/cli/src/chaos/catalog.ts by `./brewops chaos list --markdown > docs/scenarios.md`;',
    '     a unit test (packages/cli/test/unit/chaos-catalog.test.ts) keeps the two equal. -->',
    '',
    'What each fault of `brewops chaos` does, the alert that should fire (rules in `alert-rules/`), the',
    'action the controller (`services/controller`, acting, default rules) is expected to take on the target,',
    'and the recovery bound: after the fault is cleared, the target is ready again and the controller sees',
    'it healthy (not rerouted) within it. `brewops chaos verify` runs every row on the live stack with the',
    'verify target and duration and prints expected against observed; an alert marked "not checked" has a',
    '`for:` longer than a short CI run, and verify says so instead of waiting for it. Every "reinstate"',
    'below is followed by the controller\'s verification window (`rules.verifyWindowMs`, 5 s; 3 s under',
    '`npm test`): the instance is back in traffic and must stay ready and within the SLO before it counts',
    'as healthy; a breach reroutes it again.',
    '',
    'Instance faults (`faults.*` flags) are written into the target service\'s config in etcd, under',
    '`faults.instances.<id>` for an instance target or `faults` for a whole service, and removed at the end:',
    'every instance applies them live, with no restart (see packages/platform/README.md, "Faults").',
    '',
    '| scenario | fault | default target | verify target, duration | alert (for) | expected controller action | recovery bound |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const s of scenarios) {
    const alert = s.alert.rule === null ? 'none' : `\`${s.alert.rule}\` (${s.alert.for})`;
    lines.push(`| \`${s.name}\` | ${cell(faultText(s))} | ${s.defaultTarget} | ${s.verify.target}, ${formatDuration(s.verify.durationMs)} | ${alert} | ${actionText(s.actions)} | ${formatDuration(s.recoveryBoundMs)} |`);
  }
  lines.push('', '## Notes per scenario', '');
  for (const s of scenarios) {
    lines.push(`- **${s.name}**: ${cell(s.summary)}. Alert: ${s.alert.check === 'pending' ? 'checked (pending or firing)' : 'not checked'} — ${s.alert.note}. Action: ${s.actionNote}`);
  }
  lines.push(
    '',
    '`rabbitmq-down` runs only when `brewops up` started RabbitMQ itself; a broker it reused (the machine\'s',
    'shared one on 5672) is never stopped: the scenario is refused, and `verify` shows it as skipped.',
    'The controller leaves an instance rerouted and flagged after 3 restarts within 10 minutes',
    '(`backoff.maxRestarts`): running `verify` several times in a row on the same instances runs into it.',
    '',
  );
  return lines.join('\n');
}
