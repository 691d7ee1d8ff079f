import { parseArgs } from 'node:util';
import { usageError } from '../errors.js';

export const CONFIG_USAGE = `  config push [--env dev] [--dir config]  validate every layer against every service's schema, then write to etcd
  config get <service> [--json]          the effective config and the layer each key came from (secrets: reference only)
  config history <service> [-n 20]       the versions of a service's config, newest first, with the keys each changed
  config rollback <service> <revision>   write an earlier version again`;

export type ConfigCommand =
  | { readonly command: 'config'; readonly action: 'push'; readonly env: string; readonly dir: string | null }
  | { readonly command: 'config'; readonly action: 'get'; readonly service: string; readonly json: boolean }
  | { readonly command: 'config'; readonly action: 'history'; readonly service: string; readonly limit: number }
  | { readonly command: 'config'; readonly action: 'rollback'; readonly service: string; readonly revision: number };

const SERVICE_NAME = /^[a-z][a-z0-9-]*$/;

/** `brewops config <action> ...` (the words after `config`). */
export function parseConfigArgs(args: readonly string[]): ConfigCommand {
  const [action, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { env: { type: 'string' }, dir: { type: 'string' }, json: { type: 'boolean' }, limit: { type: 'string', short: 'n' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw usageError(`config ${action ?? ''}: ${((err as Error).message.split('. ')[0] ?? '').replace(/\.$/, '')}`);
  }
  const { values, positionals } = parsed;
  const service = (): string => {
    const s = positionals[0];
    if (!s || !SERVICE_NAME.test(s)) throw usageError(`config ${action}: needs a service name, got ${JSON.stringify(s ?? '')}`);
    return s;
  };
  const maxPositionals = (n: number): void => {
    if (positionals.length > n) throw usageError(`config ${action}: unexpected argument "${positionals[n]}"`);
  };
  switch (action) {
    case 'push': {
      maxPositionals(0);
      const env = values.env ?? 'dev';
      if (!SERVICE_NAME.test(env)) throw usageError(`config push: bad --env "${env}"`);
      return { command: 'config', action, env, dir: values.dir ?? null };
    }
    case 'get':
      maxPositionals(1);
      return { command: 'config', action, service: service(), json: values.json === true };
    case 'history': {
      maxPositionals(1);
      const limit = Number(values.limit ?? 20);
      if (!Number.isInteger(limit) || limit < 1) throw usageError(`config history: -n needs a positive number, got "${values.limit}"`);
      return { command: 'config', action, service: service(), limit };
    }
    case 'rollback': {
      maxPositionals(2);
      const svc = service();
      const revision = Number(positionals[1]);
      if (!/^\d+$/.test(positionals[1] ?? '') || revision < 1) throw usageError(`config rollback: needs a revision number, got ${JSON.stringify(positionals[1] ?? '')}`);
      return { command: 'config', action, service: svc, revision };
    }
    default:
      throw usageError(`config: unknown action ${JSON.stringify(action ?? '')} (push, get, history, rollback)`);
  }
}
