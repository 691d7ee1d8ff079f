// Static checks of alert-rules/ that need no promtool: every alert has a runbook, a severity the
// routing knows, and a promtool test that shows it firing and a case where it stays silent.
// promtool and amtool themselves run in test/integration/alert-rules.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../src/paths.js';

interface Rule { alert?: string; record?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface AlertTest { alertname: string; exp_alerts?: unknown[] | null }
interface TestFile { rule_files: string[]; tests: Array<{ alert_rule_test?: AlertTest[] }> }

const DIR = join(REPO_ROOT, 'alert-rules');
const ruleFiles = readdirSync(DIR).filter((f) => f.endsWith('.rules.yml')).sort();
const testFiles = readdirSync(DIR).filter((f) => f.endsWith('.test.yml')).sort();
const rules = ruleFiles.flatMap((f) =>
  (parse(readFileSync(join(DIR, f), 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules.map((r) => ({ file: f, ...r }))));
const alerts = rules.filter((r) => r.alert !== undefined);
const tests = testFiles.map((f) => ({ file: f, doc: parse(readFileSync(join(DIR, f), 'utf8')) as TestFile }));

test('rule files exist and each has a promtool test file that loads it', () => {
  assert.ok(ruleFiles.length > 0, 'no *.rules.yml in alert-rules/');
  for (const f of ruleFiles) {
    const t = tests.find((x) => x.doc.rule_files.includes(f));
    assert.ok(t, `${f} has no *.test.yml listing it in rule_files`);
  }
});

test('every alert has a severity, a summary, a description and a runbook in docs/runbooks/<alert>.md', () => {
  for (const a of alerts) {
    assert.ok(['critical', 'warning'].includes(a.labels?.['severity'] ?? ''), `${a.alert}: severity must be critical or warning`);
    assert.ok(a.annotations?.['summary'], `${a.alert}: no summary`);
    assert.ok(a.annotations?.['description'], `${a.alert}: no description`);
    const runbook = `docs/runbooks/${a.alert}.md`;
    assert.equal(a.annotations?.['runbook_url'], runbook, `${a.alert}: runbook_url`);
    assert.ok(existsSync(join(REPO_ROOT, runbook)), `${runbook} does not exist`);
  }
});

test('every alert has a promtool case where it fires and one where it does not', () => {
  const cases = tests.flatMap((t) => t.doc.tests.flatMap((c) => c.alert_rule_test ?? []));
  for (const name of new Set(alerts.map((a) => a.alert!))) {
    const mine = cases.filter((c) => c.alertname === name);
    assert.ok(mine.some((c) => (c.exp_alerts ?? []).length > 0), `${name}: no test case where it fires`);
    assert.ok(mine.some((c) => (c.exp_alerts ?? []).length === 0), `${name}: no test case where it stays silent`);
  }
});

test('every runbook belongs to an alert', () => {
  const names = new Set(alerts.map((a) => a.alert));
  const orphans = readdirSync(join(REPO_ROOT, 'docs', 'runbooks'))
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .filter((f) => !names.has(f.slice(0, -3)));
  assert.deepEqual(orphans, [], 'runbooks without an alert');
});
