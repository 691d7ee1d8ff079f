import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './errors.js';
import { parseReplicaSpec } from './replicas.js';
import type { ServiceName } from './supervisor/services.js';
import { CONFIG_USAGE, parseConfigArgs, type ConfigCommand } from './commands/config-args.js';
import { LOAD_USAGE, parseLoadArgs, type LoadCommand } from './load/config.js';

export const USAGE = `usage: brewops <command> [options]

commands:
  up [--replicas svc=n,...]    install and start the real backends, then the services; waits until ready
                               (replicas: --replicas, else replicas: in config/, else collector=1,member=2,status=1,payment=1,barista=1,order=1,gateway=1,controller=1)
  down                         stop everything brewops started (never a server it only reused)
  status [--json]              one row per backend and instance: name, URL, pid, state
  logs [name] [-f] [-n 100]    print (or follow) a backend's or instance's log; no name lists the logs
${CONFIG_USAGE}
${LOAD_USAGE}

env: BREWOPS_HOME (state dir, default <repo>/.brewops), BREWOPS_<BACKEND>_PORT (e.g. BREWOPS_ETCD_PORT),
     BREWOPS_SUPERVISOR_PORT, BREWOPS_GATEWAY_PORT, LOG_LEVEL`;

export type Command =
  | { readonly command: 'help' }
  | { readonly command: 'up'; readonly replicas: Record<ServiceName, number>; readonly replicasGiven: readonly ServiceName[] }
  | { readonly command: 'down' }
  | { readonly command: 'status'; readonly json: boolean }
  | { readonly command: 'logs'; readonly name: string | null; readonly follow: boolean; readonly lines: number }
  | ConfigCommand
  | LoadCommand;

const COMMANDS = ['up', 'down', 'status', 'logs', 'config', 'load', 'help'];

interface Parsed {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
}

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>, command: string, maxPositionals = 0): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true }) as unknown as Parsed;
  } catch (err) {
    // node's messages are long; keep the first sentence, which names the bad option.
    const first = ((err as Error).message.split('. ')[0] ?? '').replace(/\.$/, '');
    throw usageError(`${command}: ${first}`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw usageError(`${command}: unexpected argument "${parsed.positionals[maxPositionals]}"`);
  }
  return parsed;
}

/** Parses the command line (without `node main.js`). Bad input throws a usage error (exit 2). */
export function parseCli(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help' };
  if (!COMMANDS.includes(command)) throw usageError(`unknown command "${command}" (commands: up, down, status, logs, config, load)`);
  if (rest.includes('--help') || rest.includes('-h')) return { command: 'help' };
  switch (command) {
    case 'up': {
      const { values } = parse(rest, { replicas: { type: 'string' } }, 'up');
      const spec = values['replicas'] as string | undefined;
      const replicas = parseReplicaSpec(spec);
      const given = spec === undefined ? [] : spec.split(',').map((p) => p.split('=')[0]!.trim() as ServiceName);
      return { command: 'up', replicas, replicasGiven: given };
    }
    case 'config':
      return parseConfigArgs(rest);
    case 'load':
      return parseLoadArgs(rest);
    case 'down':
      parse(rest, {}, 'down');
      return { command: 'down' };
    case 'status': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, 'status');
      return { command: 'status', json: values['json'] === true };
    }
    default: {
      const { values, positionals } = parse(rest, {
        follow: { type: 'boolean', short: 'f' },
        lines: { type: 'string', short: 'n' },
      }, 'logs', 1);
      const raw = values['lines'] as string | undefined;
      const lines = raw === undefined ? 100 : Number(raw);
      if (raw !== undefined && (!/^\d+$/.test(raw) || lines < 1)) throw usageError(`logs: -n needs a positive number of lines, got "${raw}"`);
      return { command: 'logs', name: positionals[0] ?? null, follow: values['follow'] === true, lines };
    }
  }
}
