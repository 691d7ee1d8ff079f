import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { findRuleFiles, renderPrometheusConfig } from '../../src/config/prometheus.js';
import { renderMinimalAlertmanagerConfig } from '../../src/config/alertmanager.js';

interface ScrapeConfig {
  job_name: string;
  http_sd_configs?: Array<{ url: string; refresh_interval: string }>;
  static_configs?: Array<{ targets: string[] }>;
}

const input = {
  supervisorUrl: 'http://127.0.0.1:9511',
  prometheusPort: 9090,
  alertmanagerPort: 9093,
  rabbitmqPrometheusPort: 15692,
  etcdPort: 2379,
  zipkinPort: 9411,
  opensearchPort: 9200,
  ruleFiles: ['/repo/alert-rules/slo.rules.yml'],
};

test('service instances come only from http_sd on the supervisor', () => {
  const doc = parse(renderPrometheusConfig(input)) as { scrape_configs: ScrapeConfig[]; global: Record<string, string> };
  assert.equal(doc.global['scrape_interval'], '5s');
  assert.equal(doc.global['evaluation_interval'], '5s');
  const brewops = doc.scrape_configs.find((s) => s.job_name === 'brewops');
  assert.ok(brewops, 'no brewops job');
  assert.deepEqual(brewops.http_sd_configs, [{ url: 'http://127.0.0.1:9511/sd/prometheus', refresh_interval: '5s' }]);
  assert.equal(brewops.static_configs, undefined, 'brewops job must not list static targets');
  const staticTargets = doc.scrape_configs.flatMap((s) => (s.static_configs ?? []).flatMap((c) => c.targets));
  assert.deepEqual(staticTargets.sort(),
    ['127.0.0.1:15692', '127.0.0.1:15692', '127.0.0.1:2379', '127.0.0.1:9090', '127.0.0.1:9200', '127.0.0.1:9411'],
    'only backends are static: rabbitmq (twice: aggregated and per queue), etcd, prometheus, opensearch, zipkin');
});

test('rules and alerting point where they should', () => {
  const doc = parse(renderPrometheusConfig(input)) as {
    rule_files: string[];
    alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
  };
  assert.deepEqual(doc.rule_files, ['/repo/alert-rules/slo.rules.yml']);
  assert.deepEqual(doc.alerting.alertmanagers[0]!.static_configs[0]!.targets, ['127.0.0.1:9093']);
});

test('only real rule files are picked from alert-rules/ (not alertmanager.yml or promtool tests)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brewops-rules-'));
  try {
    writeFileSync(join(dir, 'slo.yml'), 'groups:\n  - name: slo\n    rules: []\n');
    writeFileSync(join(dir, 'infra.rules.yaml'), '# comment\ngroups: []\n');
    writeFileSync(join(dir, 'alertmanager.yml'), 'route:\n  receiver: x\nreceivers:\n  - name: x\n');
    writeFileSync(join(dir, 'slo.test.yml'), 'rule_files: [slo.yml]\ntests: []\n');
    writeFileSync(join(dir, 'README.md'), 'groups: not yaml\n');
    assert.deepEqual(findRuleFiles(dir), [join(dir, 'infra.rules.yaml'), join(dir, 'slo.yml')]);
    assert.deepEqual(findRuleFiles(join(dir, 'missing')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('promtool and amtool accept the generated configs', { skip: !existsSync('/usr/bin/promtool') && 'promtool not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'brewops-prom-'));
  try {
    mkdirSync(join(dir, 'rules'));
    const rules = join(dir, 'rules', 'r.yml');
    writeFileSync(rules, 'groups:\n  - name: g\n    rules:\n      - alert: Up\n        expr: up == 0\n');
    const file = join(dir, 'prometheus.yml');
    writeFileSync(file, renderPrometheusConfig({ ...input, ruleFiles: [rules] }));
    const r = spawnSync('/usr/bin/promtool', ['check', 'config', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    if (existsSync('/usr/bin/amtool')) {
      const am = join(dir, 'alertmanager.yml');
      writeFileSync(am, renderMinimalAlertmanagerConfig());
      const a = spawnSync('/usr/bin/amtool', ['check-config', am], { encoding: 'utf8' });
      assert.equal(a.status, 0, a.stdout + a.stderr);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
