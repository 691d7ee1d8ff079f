#!/usr/bin/env node
// The whole test suite from a fresh clone: `npm test`.
//   1. bootstrap (npm ci when needed, tsc -b)
//   2. unit tests (no backend; seconds)
//   3. `brewops up`: installs and starts the real backends and the services.
//      If any backend cannot start, the run fails here, loudly.
//   4. integration tests (real RabbitMQ, etcd, Zipkin, OpenSearch, Prometheus) and
//      cross-service e2e tests, one file at a time, in a fixed order
//   5. `brewops down`, always
// Flags: --unit (steps 1-2 only), --no-up (use a stack that is already up), --keep (skip step 5).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bootstrap, root } from './bootstrap.mjs';

const args = new Set(process.argv.slice(2));
// Every workspace's compiled tests, in the order package.json lists the workspaces.
const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces.filter((w) => w !== 'tests');

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}


function nodeTest(files, label) {
  if (files.length === 0) {
    console.error(`test: no ${label} test files found: the build is broken or the tree is incomplete`);
    return 1;
  }
  console.error(`\n=== ${label}: ${files.length} file(s) ===`);
  for (const f of files) console.error(`  ${relative(root, f)}`);
  const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, BREWOPS_ROOT: root },
  });
  return r.status ?? 1;
}

function cli(...cliArgs) {
  return spawnSync(process.execPath, [join(root, 'packages', 'cli', 'dist', 'src', 'main.js'), ...cliArgs], {
    cwd: root,
    stdio: 'inherit',
    // config/env/test.yaml and config/services/*.test.yaml (the controller in dry-run) apply
    env: { ...process.env, BREWOPS_ENV: process.env.BREWOPS_ENV ?? 'test' },
  }).status ?? 1;
}

bootstrap();

// Test files are found after the build (a fresh clone has no dist/ before it).
const unit = workspaces.flatMap((w) => findTests(join(root, w, 'dist', 'test', 'unit')));
const integration = workspaces.flatMap((w) => findTests(join(root, w, 'dist', 'test', 'integration')));
// e2e files run in name order; lifecycle tests that take the stack down are named zz-*.
const e2e = findTests(join(root, 'tests', 'dist', 'e2e'));

if (args.has('--unit')) process.exit(nodeTest(unit, 'unit'));

const unitCode = nodeTest(unit, 'unit');
if (unitCode !== 0) {
  console.error('\ntest: unit tests failed; not starting the stack.');
  process.exit(unitCode);
}

if (!args.has('--no-up')) {
  console.error('\n=== brewops up (real backends + services) ===');
  const upCode = cli('up');
  if (upCode !== 0) {
    console.error('\ntest: FAILED: `brewops up` could not bring the stack up (see the message above). No test was skipped: the run fails.');
    cli('down');
    process.exit(upCode);
  }
}

let code = 1;
try {
  code = nodeTest([...integration, ...e2e], 'integration + e2e');
} finally {
  if (!args.has('--keep')) {
    console.error('\n=== brewops down ===');
    cli('down');
  }
}
process.exit(code);
