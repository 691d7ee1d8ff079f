#!/usr/bin/env node
/**
 * The brewops supervisor: started detached by `brewops up`, it runs the service instances and
 * serves the loopback admin API (instances, http_sd for Prometheus, restart/stop/start/scale).
 * Usage: node supervisor/main.js --state-dir <dir>   (reads <dir>/supervisor.json)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { InstanceInfo } from '@brewops/platform';
import { createAdminServer } from './admin-api.js';
import { readSupervisorConfig } from './config.js';
import { InstanceTable, STOP_GRACE_MS } from './instances.js';
import { readRegistrations, rememberRegistrations, scrapeTargets } from './registry.js';
import { NotificationInbox } from './notifications.js';

const log = (msg: string): void => {
  process.stdout.write(`${new Date().toISOString()} supervisor: ${msg}\n`);
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'state-dir': { type: 'string' } } });
  const stateDir = values['state-dir'];
  if (!stateDir) throw new Error('--state-dir is required');
  const cfg = readSupervisorConfig(stateDir);
  const token = readFileSync(cfg.tokenFile, 'utf8').trim();
  // Last registration of each supervised instance: http_sd keeps a crashed one as a failing target.
  const lastRegistered = new Map<string, InstanceInfo>();
  const registry = async (): Promise<InstanceInfo[]> => {
    const regs = await readRegistrations(cfg.etcdUrl);
    rememberRegistrations(lastRegistered, regs, new Set(table.list().instances.map((i) => i.id)));
    return regs;
  };
  const table: InstanceTable = new InstanceTable(cfg, registry, log);
  const server = createAdminServer({
    control: table,
    token,
    sd: async () => {
      const regs = await registry();
      return scrapeTargets(regs, table.list().instances, lastRegistered);
    },
    notifications: new NotificationInbox(log),
    onError: (err) => log(`admin API error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`),
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, '127.0.0.1', () => resolve());
  });
  log(`admin API on http://127.0.0.1:${cfg.port} (pid ${process.pid})`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping every instance (SIGKILL after ${STOP_GRACE_MS / 1000} s)`);
    clearInterval(timer);
    server.close();
    server.closeAllConnections();
    table.shutdown().then(
      () => {
        log('all instances stopped; exiting');
        process.exit(0);
      },
      (err: unknown) => {
        log(`shutdown failed: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('unhandledRejection', (err) => log(`unhandled rejection: ${String(err)}`));

  const timer = setInterval(() => void table.poll(), 1000);
  await table.startAll();
  await table.poll();
}

main().catch((err: unknown) => {
  log(`failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
