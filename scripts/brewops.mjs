#!/usr/bin/env node
// Entry point that works from a fresh clone: bootstrap (npm ci + build), then the CLI.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { bootstrap, root } from './bootstrap.mjs';

bootstrap();
const r = spawnSync(process.execPath, [join(root, 'packages', 'cli', 'dist', 'src', 'main.js'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
