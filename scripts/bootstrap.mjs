// Brings a fresh clone to a runnable state using only Node built-ins:
// installs the locked dependencies when they are missing or stale, then builds
// the whole TypeScript tree (incremental, so a second call takes a second or two).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function run(cmd, args, what) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`\nbrewops: ${what} failed (exit ${r.status ?? r.signal}). Fix the error above and run again.`);
    process.exit(r.status || 1);
  }
  return Date.now() - started;
}

function depsStale() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return true;
  return statSync(join(root, 'package-lock.json')).mtimeMs > statSync(marker).mtimeMs;
}

export function bootstrap({ quiet = false } = {}) {
  const log = (m) => { if (!quiet) console.error(m); };
  if (depsStale()) {
    log('brewops: installing locked npm dependencies (npm ci)…');
    const ms = run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], 'npm ci');
    log(`brewops: dependencies installed in ${(ms / 1000).toFixed(1)} s`);
  }
  const ms = run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], 'TypeScript build');
  log(`brewops: build ok (${(ms / 1000).toFixed(1)} s)`);
}
