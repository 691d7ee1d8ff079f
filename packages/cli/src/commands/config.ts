import { join, resolve } from 'node:path';
import { ConfigStore, isConfigError } from '@brewops/platform';
import type { ConfigCommand } from './config-args.js';
import { configHistory, configRollback } from './config-history.js';
import { getConfig } from './config-get.js';
import { pushConfig } from './config-push.js';
import { resolvePaths } from '../paths.js';
import { loadState } from '../state.js';

/** etcd endpoints: env `ETCD_HOSTS`, else the stack's etcd from state.json, else the default port. */
export function configEtcdHosts(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = env['ETCD_HOSTS'];
  if (fromEnv) return fromEnv.split(',').map((h) => h.trim()).filter(Boolean);
  const url = loadState(resolvePaths())?.backends['etcd']?.url;
  return [url ?? `http://127.0.0.1:${env['BREWOPS_ETCD_PORT'] ?? 2379}`];
}

/** `brewops config push|get|history|rollback`. Config and etcd errors exit 1 with the reason. */
export async function config(cmd: ConfigCommand): Promise<number> {
  const { root } = resolvePaths();
  const store = new ConfigStore({ hosts: configEtcdHosts() });
  try {
    switch (cmd.action) {
      case 'push': {
        const dir = cmd.dir ? resolve(cmd.dir) : join(root, 'config');
        return (await pushConfig(store, { root, dir, env: cmd.env })).ok ? 0 : 1;
      }
      case 'get':
        await getConfig(store, root, cmd.service, cmd.json);
        return 0;
      case 'history':
        return await configHistory(store, cmd.service, cmd.limit);
      case 'rollback':
        return await configRollback(store, root, cmd.service, cmd.revision);
    }
  } catch (err) {
    if (!isConfigError(err)) throw err;
    process.stderr.write(`brewops: config ${cmd.action}: ${err.message}\n`);
    if (err.code === 'etcd_unavailable') process.stderr.write('fix: start the stack (brewops up) or set ETCD_HOSTS\n');
    return 1;
  } finally {
    store.close();
  }
}
