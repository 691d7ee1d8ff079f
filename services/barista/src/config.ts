import { join } from 'node:path';

/** Barista service options, from the environment. */
export interface BaristaConfig {
  /** SQLite file of this instance. Env `BARISTA_DB`. @default `<BREWOPS_STATE_DIR>/barista.db` */
  readonly dbFile: string;
  /** Simulated brewing time per order, ms (0: as fast as the machine goes). Env `BARISTA_BREW_MS`. @default 0 */
  readonly brewMs: number;
}

export function readBaristaConfig(env: NodeJS.ProcessEnv, stateDir: string): BaristaConfig {
  return {
    dbFile: env['BARISTA_DB'] ?? join(stateDir, 'barista.db'),
    brewMs: Number(env['BARISTA_BREW_MS'] ?? 0),
  };
}
