#!/usr/bin/env node
/**
 * brewops up | down | status | logs | config | load — the real backends and the services on one machine.
 * Bad input exits 2 with a one-line reason and the usage; failures exit 1 with the cause and a fix.
 */
import { parseCli, USAGE } from './cli-args.js';
import { down } from './commands/down.js';
import { logs } from './commands/logs.js';
import { status } from './commands/status.js';
import { up } from './commands/up.js';
import { describe, isBrewopsError } from './errors.js';

async function run(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'chaos') {
    // loaded on demand, like config (it pulls in @brewops/platform)
    const { parseChaosArgs, CHAOS_USAGE } = await import('./chaos/args.js');
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(`usage: brewops chaos ...\n${CHAOS_USAGE}\n`);
      return 0;
    }
    try {
      return await (await import('./commands/chaos.js')).chaos(parseChaosArgs(argv.slice(1)));
    } catch (err) {
      if (!isBrewopsError(err) || err.code !== 'usage') throw err;
      process.stderr.write(`brewops: ${err.message}\n\nusage:\n${CHAOS_USAGE}\n`);
      return err.exitCode;
    }
  }
  const cmd = parseCli(argv);
  switch (cmd.command) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'up':
      return up(cmd);
    case 'down':
      return down();
    case 'status':
      return status(cmd.json);
    case 'logs':
      return logs(cmd);
    case 'config':
      // loaded on demand: it pulls in @brewops/platform (zod schemas, etcd client)
      return (await import('./commands/config.js')).config(cmd);
    case 'load':
      // loaded on demand: undici, the load runner and the report
      return (await import('./commands/load.js')).load(cmd);
  }
}

function fail(err: unknown): number {
  if (isBrewopsError(err)) {
    if (err.code === 'usage') {
      process.stderr.write(`brewops: ${err.message}\n\n${USAGE}\n`);
    } else {
      process.stderr.write(`brewops: ${err.message}\n${err.fix ? `fix: ${err.fix}\n` : ''}`);
    }
    return err.exitCode;
  }
  process.stderr.write(`brewops: unexpected error: ${describe(err)}\n`);
  if (process.env['BREWOPS_DEBUG']) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
  return 1;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => process.exit(fail(err)),
);
