// promtool and amtool on alert-rules/. An integration test because the tools come with the
// Debian prometheus and prometheus-alertmanager packages, which `brewops up` installs (unit
// tests run before it, on a machine that may not have them yet).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/paths.js';

const DIR = join(REPO_ROOT, 'alert-rules');

function tool(name: string, pkg: string): string {
  for (const dir of ['/usr/bin', '/usr/local/bin', ...(process.env['PATH'] ?? '').split(':')]) {
    const p = join(dir, name);
    if (dir !== '' && existsSync(p)) return p;
  }
  assert.fail(`${name} is not installed: \`sudo apt-get install ${pkg}\` (brewops up installs it)`);
}

function run(bin: string, args: string[]): { code: number; out: string } {
  const r = spawnSync(bin, args, { cwd: DIR, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

const files = (suffix: string): string[] => readdirSync(DIR).filter((f) => f.endsWith(suffix)).sort();

test('promtool check rules: every rule file is valid', () => {
  const r = run(tool('promtool', 'prometheus'), ['check', 'rules', ...files('.rules.yml')]);
  assert.equal(r.code, 0, r.out);
});

test('promtool test rules: every alert fires when it should and stays silent when it should', () => {
  const r = run(tool('promtool', 'prometheus'), ['test', 'rules', ...files('.test.yml')]);
  assert.equal(r.code, 0, r.out);
  assert.doesNotMatch(r.out, /FAILED/);
});

test('amtool check-config: alertmanager.yml is valid', () => {
  const r = run(tool('amtool', 'prometheus-alertmanager'), ['check-config', 'alertmanager.yml']);
  assert.equal(r.code, 0, r.out);
});

test('critical alerts reach the controller and the notification webhook; others only the notification webhook', () => {
  const amtool = tool('amtool', 'prometheus-alertmanager');
  const routes = (...labels: string[]): string =>
    run(amtool, ['config', 'routes', 'test', '--config.file=alertmanager.yml', ...labels]).out.split('\n')[0]!.trim();
  assert.equal(routes('severity=critical', 'alertname=BrewopsInstanceDown'), 'controller,notifications');
  assert.equal(routes('severity=warning', 'alertname=BrewopsZipkinDown'), 'notifications');
});
