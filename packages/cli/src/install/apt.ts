import { existsSync } from 'node:fs';
import { BrewopsError } from '../errors.js';
import { lastLines, runCommand, Serial } from './run.js';

const apt = new Serial();
const ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };

function missingLists(output: string): boolean {
  return /Unable to locate package|has no installation candidate|404\s+Not Found|Failed to fetch/.test(output);
}

/**
 * Installs a Debian package unless `binary` already exists. Runs `apt-get update` only when the
 * install failed for want of package lists. Calls are serialized (apt holds a lock).
 */
export function ensureAptPackage(pkg: string, binary: string): Promise<'present' | 'installed'> {
  return apt.run(async () => {
    if (existsSync(binary)) return 'present';
    // another apt (another tool, unattended upgrades) may hold the dpkg lock: wait for it, up to 5 min
    const install = ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '--no-install-recommends', pkg];
    let r = await runCommand('apt-get', install, { env: ENV });
    if (r.code !== 0 && missingLists(r.output)) {
      const u = await runCommand('apt-get', ['update'], { env: ENV });
      if (u.code !== 0) {
        throw new BrewopsError('install_failed', `apt-get update failed: ${lastLines(u.output, 3).join(' | ')}`,
          'check network access to the Debian mirrors, then run brewops up again');
      }
      r = await runCommand('apt-get', install, { env: ENV });
    }
    if (r.code !== 0 || !existsSync(binary)) {
      throw new BrewopsError('install_failed',
        `apt-get install ${pkg} failed (exit ${r.code ?? 'timeout'}): ${lastLines(r.output, 3).join(' | ')}`,
        `run \`apt-get install -y ${pkg}\` as root and fix what it reports`);
    }
    return 'installed';
  });
}
