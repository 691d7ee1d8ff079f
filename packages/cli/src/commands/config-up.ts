import { join } from 'node:path';
import { BrewopsError } from '../errors.js';
import type { Progress } from '../progress.js';

/** `replicas` of each service's effective config (config/ layers for the env). */
export type ConfiguredReplicas = Readonly<Record<string, number>>;

/**
 * `brewops up` pushes `config/` (env `BREWOPS_ENV`, default `dev`) before starting the services,
 * so every instance boots on the checked-in config. An invalid config stops `up` with the list.
 */
export async function pushConfigForUp(root: string, etcdUrl: string | undefined, progress: Progress): Promise<ConfiguredReplicas> {
  const { ConfigStore } = await import('@brewops/platform');
  const { pushConfig } = await import('./config-push.js');
  const env = process.env['BREWOPS_ENV'] ?? 'dev';
  const store = new ConfigStore({ hosts: [etcdUrl ?? 'http://127.0.0.1:2379'] });
  try {
    const r = await pushConfig(store, { root, dir: join(root, 'config'), env, out: (l) => progress.step('config', l) });
    if (!r.ok) throw new BrewopsError('start_failed', `config/ is invalid for env ${env} (see the list above)`, 'fix the files named above, then run brewops up again');
    const replicas: Record<string, number> = {};
    for (const d of r.documents) {
      const n = (d.config as { replicas?: unknown }).replicas;
      if (typeof n === 'number') replicas[d.service] = n;
    }
    return replicas;
  } finally {
    store.close();
  }
}
