import { join } from 'node:path';
import { BrewopsError } from '../errors.js';
import type { Progress } from '../progress.js';

/**
 * `brewops up` pushes `config/` (env `BREWOPS_ENV`, default `dev`) before starting the services,
 * so every instance boots on the checked-in config. An invalid config stops `up` with the list.
 */
export async function pushConfigForUp(root: string, etcdUrl: string | undefined, progress: Progress): Promise<void> {
  const { ConfigStore } = await import('@brewops/platform');
  const { pushConfig } = await import('./config-push.js');
  const env = process.env['BREWOPS_ENV'] ?? 'dev';
  const store = new ConfigStore({ hosts: [etcdUrl ?? 'http://127.0.0.1:2379'] });
  try {
    const r = await pushConfig(store, { root, dir: join(root, 'config'), env, out: (l) => progress.step('config', l) });
    if (!r.ok) throw new BrewopsError('start_failed', `config/ is invalid for env ${env} (see the list above)`, 'fix the files named above, then run brewops up again');
  } finally {
    store.close();
  }
}
