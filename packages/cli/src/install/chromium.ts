import { existsSync } from 'node:fs';
import { ensureAptPackage } from './apt.js';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_BINARY = '/usr/bin/chromium';

/**
 * Installs headless-capable Chromium from apt (Debian package `chromium`) unless it is there;
 * used to render `brewops load` reports in tests. Returns the binary, whether it had to be
 * installed, and how long that took. Throws a BrewopsError (`install_failed`) saying why not.
 */
export async function ensureChromium(): Promise<{ binary: string; outcome: 'present' | 'installed'; ms: number }> {
  const t0 = performance.now();
  const outcome = existsSync(CHROMIUM_BINARY) ? 'present' : await ensureAptPackage('chromium', CHROMIUM_BINARY);
  return { binary: CHROMIUM_BINARY, outcome, ms: Math.round(performance.now() - t0) };
}
