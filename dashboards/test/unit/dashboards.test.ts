import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { LOGS, PROMETHEUS, ZIPKIN } from '../../src/datasources.js';
import { GRAFANA_DIR } from '../../src/paths.js';
import { renderDashboards } from '../../src/render.js';

interface Target { expr?: string; datasource?: { uid?: string }; exemplar?: boolean; refId?: string }
interface Panel { id: number; type: string; title: string; targets?: Target[]; datasource?: { uid?: string } }
interface Dashboard { uid: string; title: string; panels: Panel[]; templating?: { list: Array<{ name: string }> } }

const rendered = renderDashboards();
const dashboards = [...rendered.values()].map((json) => JSON.parse(json) as Dashboard);
const GRAFANA_BUILTINS = new Set(['__rate_interval', '__interval', '__range', '__interval_ms', '__range_s']);

test('committed dashboards/grafana/*.json match the TypeScript sources', () => {
  for (const [file, json] of rendered) {
    const path = join(GRAFANA_DIR, file);
    assert.ok(existsSync(path), `dashboards/grafana/${file} is missing: run npm run dashboards`);
    assert.equal(readFileSync(path, 'utf8'), json, `dashboards/grafana/${file} is stale: run npm run dashboards`);
  }
  const stray = readdirSync(GRAFANA_DIR).filter((f) => f.endsWith('.json') && !rendered.has(f));
  assert.deepEqual(stray, [], `JSON in dashboards/grafana/ that no source produces: run npm run dashboards`);
});

test('dashboard UIDs and titles are unique; panel IDs are unique per dashboard', () => {
  assert.equal(new Set(dashboards.map((d) => d.uid)).size, dashboards.length);
  assert.equal(new Set(dashboards.map((d) => d.title)).size, dashboards.length);
  for (const d of dashboards) {
    const ids = d.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, `${d.title}: duplicate panel IDs`);
  }
});

test('every panel queries the provisioned Prometheus, and only with variables the dashboard defines', () => {
  for (const d of dashboards) {
    const vars = new Set((d.templating?.list ?? []).map((v) => v.name));
    for (const p of d.panels.filter((x) => x.type !== 'row')) {
      assert.ok((p.targets ?? []).length > 0, `${d.title} / ${p.title}: no query`);
      assert.equal(p.datasource?.uid, PROMETHEUS.uid, `${d.title} / ${p.title}: datasource`);
      for (const t of p.targets ?? []) {
        assert.equal(t.datasource?.uid, PROMETHEUS.uid, `${d.title} / ${p.title} ${t.refId}: datasource`);
        const expr = t.expr ?? '';
        assert.ok(expr.length > 0, `${d.title} / ${p.title} ${t.refId}: empty expression`);
        for (const m of expr.matchAll(/\$\{?(\w+)/g)) {
          const name = m[1]!;
          assert.ok(vars.has(name) || GRAFANA_BUILTINS.has(name), `${d.title} / ${p.title}: $${name} is not a variable of the dashboard`);
        }
        if (t.exemplar === true) {
          assert.match(expr, /_bucket\{/, `${d.title} / ${p.title}: exemplars exist only on histogram buckets`);
        }
      }
    }
  }
});

test('provisioned datasources carry the UIDs the dashboards use; exemplars open Zipkin', () => {
  const doc = parse(readFileSync(join(GRAFANA_DIR, 'provisioning', 'datasources', 'brewops.yml'), 'utf8')) as {
    datasources: Array<{ uid: string; type: string; jsonData?: { exemplarTraceIdDestinations?: Array<{ name: string; datasourceUid: string }> } }>;
  };
  const byUid = new Map(doc.datasources.map((d) => [d.uid, d]));
  for (const ref of [PROMETHEUS, ZIPKIN, LOGS]) {
    assert.equal(byUid.get(ref.uid!)?.type, ref.type, `datasource ${ref.uid} of type ${ref.type} is not provisioned`);
  }
  assert.deepEqual(byUid.get(PROMETHEUS.uid!)?.jsonData?.exemplarTraceIdDestinations,
    [{ name: 'trace_id', datasourceUid: ZIPKIN.uid }], 'exemplar trace_id must link to the Zipkin datasource');
  const providers = parse(readFileSync(join(GRAFANA_DIR, 'provisioning', 'dashboards', 'brewops.yml'), 'utf8')) as {
    providers: Array<{ type: string; options: { path: string } }>;
  };
  assert.equal(providers.providers[0]?.type, 'file');
});
