import { parseArgs } from 'node:util';
import { usageError } from '../errors.js';
import { SCENARIOS, findScenario } from './catalog.js';
import { parseDuration } from './duration.js';

export const CHAOS_USAGE = `  chaos list [--markdown]      the scenario catalog: fault, expected alert, controller action, recovery bound
  chaos <scenario> [--target service|instance] [--duration 10s] [--dry-run] [--events FILE.jsonl]
                               inject one fault, wait, clear it, print what happened (and the controller's incident)
  chaos verify [--only a,b] [--json]
                               run the catalog on the live stack (short durations), print expected vs observed;
                               exit 1 on any miss`;

export type ChaosCommand =
  | { readonly command: 'chaos'; readonly action: 'list'; readonly markdown: boolean }
  | {
      readonly command: 'chaos';
      readonly action: 'run';
      readonly scenario: string;
      readonly target: string | null;
      readonly durationMs: number | null;
      readonly dryRun: boolean;
      readonly eventsFile: string | null;
    }
  | { readonly command: 'chaos'; readonly action: 'verify'; readonly only: readonly string[] | null; readonly json: boolean; readonly eventsFile: string | null };

const NAMES = (): string => SCENARIOS.map((s) => s.name).join(', ');

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean' }>, what: string) {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true });
  } catch (err) {
    const first = ((err as Error).message.split('. ')[0] ?? '').replace(/\.$/, '');
    throw usageError(`${what}: ${first}`);
  }
}

/** `brewops chaos ...` (argv after `chaos`). Bad input: a usage error (exit 2) naming what to fix. */
export function parseChaosArgs(argv: readonly string[]): ChaosCommand {
  const [first, ...given] = argv;
  // `--duration -5s` would read as a flag: join such values so the message can say "must be positive"
  const rest: string[] = [];
  for (let i = 0; i < given.length; i++) {
    const a = given[i]!;
    const next = given[i + 1];
    if ((a === '--duration' || a === '--target') && next !== undefined && /^-\d/.test(next)) {
      rest.push(`${a}=${next}`);
      i++;
    } else rest.push(a);
  }
  if (first === undefined) throw usageError(`chaos: name a scenario (${NAMES()}), or list, or verify`);
  if (first === 'list') {
    const { values } = parse(rest, { markdown: { type: 'boolean' } }, 'chaos list');
    return { command: 'chaos', action: 'list', markdown: values['markdown'] === true };
  }
  if (first === 'verify') {
    const { values } = parse(rest, { only: { type: 'string' }, json: { type: 'boolean' }, events: { type: 'string' } }, 'chaos verify');
    const raw = values['only'] as string | undefined;
    let only: string[] | null = null;
    if (raw !== undefined) {
      only = raw.split(',').map((s) => s.trim()).filter(Boolean);
      if (only.length === 0) throw usageError('chaos verify: --only needs scenario names, e.g. --only error-storm,etcd-down');
      const unknown = only.filter((n) => !findScenario(n));
      if (unknown.length > 0) throw usageError(`chaos verify: unknown scenario "${unknown[0]}" in --only (scenarios: ${NAMES()})`);
    }
    return { command: 'chaos', action: 'verify', only, json: values['json'] === true, eventsFile: (values['events'] as string | undefined) ?? null };
  }
  if (first.startsWith('-')) throw usageError(`chaos: name a scenario before the options (${NAMES()})`);
  if (!findScenario(first)) throw usageError(`chaos: unknown scenario "${first}" (scenarios: ${NAMES()}; or list, verify)`);
  const { values } = parse(rest, {
    target: { type: 'string' }, duration: { type: 'string' }, 'dry-run': { type: 'boolean' }, events: { type: 'string' },
  }, `chaos ${first}`);
  const target = values['target'] as string | undefined;
  if (target !== undefined && !/^[a-z][a-z0-9-]{0,62}$/.test(target)) {
    throw usageError(`chaos ${first}: --target "${target}" is not a service or instance name (e.g. member or member-1)`);
  }
  const duration = values['duration'] as string | undefined;
  return {
    command: 'chaos',
    action: 'run',
    scenario: first,
    target: target ?? null,
    durationMs: duration === undefined ? null : parseDuration(duration),
    dryRun: values['dry-run'] === true,
    eventsFile: (values['events'] as string | undefined) ?? null,
  };
}
