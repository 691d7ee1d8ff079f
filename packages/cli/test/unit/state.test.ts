import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBrewopsError } from '../../src/errors.js';
import { readState } from '../../src/index.js';
import { findRepoRoot, resolvePaths } from '../../src/paths.js';
import { emptyState, loadState, parseState, saveState, type BrewopsState } from '../../src/state.js';

function withHome(fn: (home: string) => void): void {
  const home = mkdtempSync(join(tmpdir(), 'brewops-state-'));
  try {
    fn(home);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

test('the repository root is found upward from the package', () => {
  const root = findRepoRoot(__dirname);
  assert.equal((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string }).name, 'brewops');
});

test('BREWOPS_HOME moves the state dir', () => {
  const p = resolvePaths('/repo', { BREWOPS_HOME: '/tmp/elsewhere' });
  assert.equal(p.stateDir, '/tmp/elsewhere');
  assert.equal(p.stateFile, '/tmp/elsewhere/state.json');
  assert.equal(resolvePaths('/repo', {}).stateDir, '/repo/.brewops');
});

test('state round-trips in the documented shape', () => {
  withHome((home) => {
    const paths = resolvePaths('/repo', { BREWOPS_HOME: home });
    assert.equal(loadState(paths), null, 'no file yet');
    const state: BrewopsState = emptyState('/repo', 'http://127.0.0.1:8080');
    state.backends['etcd'] = { pid: 123, owned: true, url: 'http://127.0.0.1:2379', ports: { client: 2379 }, log: '.brewops/logs/etcd.log' };
    state.supervisor = { pid: 456, url: 'http://127.0.0.1:9500', tokenFile: '.brewops/admin-token' };
    saveState(paths, state);
    const raw = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(raw).sort(), ['backends', 'gatewayUrl', 'root', 'startedAt', 'supervisor']);
    assert.deepEqual(loadState(paths), state);
  });
});

test('a damaged state file is refused with the field to fix', () => {
  assert.throws(() => parseState('{', 'state.json'), (e: unknown) => isBrewopsError(e) && /not valid JSON/.test(e.message));
  const ok = { startedAt: 'x', root: '/r', gatewayUrl: 'g', backends: {}, supervisor: null };
  assert.throws(() => parseState(JSON.stringify({ ...ok, backends: { etcd: { owned: 'yes', url: 'u' } } }), 'state.json'),
    (e: unknown) => isBrewopsError(e) && /backends\.etcd/.test(e.message));
  assert.throws(() => parseState(JSON.stringify({ ...ok, root: 1 }), 'state.json'), /"root"/);
  assert.equal(parseState(JSON.stringify({ ...ok, supervisor: undefined }), 's').supervisor, null);
});

test('readState says the stack is not up when there is no state', () => {
  withHome((home) => {
    const saved = process.env['BREWOPS_HOME'];
    process.env['BREWOPS_HOME'] = home;
    try {
      assert.throws(() => readState(), (e: unknown) => isBrewopsError(e) && e.code === 'no_state');
      writeFileSync(join(home, 'state.json'), JSON.stringify(emptyState('/r', 'http://127.0.0.1:8080')));
      assert.equal(readState().gatewayUrl, 'http://127.0.0.1:8080');
    } finally {
      if (saved === undefined) delete process.env['BREWOPS_HOME'];
      else process.env['BREWOPS_HOME'] = saved;
    }
  });
});
