/**
 * Every panel query of every generated Grafana dashboard (dashboards/grafana/*.json, exactly what
 * Grafana loads) returns data from the live Prometheus after a short load run, with its template
 * variables filled in the way Grafana fills them. A panel that cannot have data is removed from
 * its dashboard, so a failure here means a metric was renamed, a label changed, or a scrape job is
 * missing. Exemplars of the latency panels lead to traces stored in Zipkin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getJson, readStackState, root, sleep, urls } from '../support/stack.js';

interface Target { refId: string; expr: string; exemplar?: boolean }
interface Panel { type: string; title: string; targets?: Target[] }
interface Variable { name: string; type: string; query?: string; includeAll?: boolean }
interface Dashboard { title: string; panels: Panel[]; templating?: { list: Variable[] } }
interface PromResponse<T> { status: string; data: T; error?: string }

const GRAFANA_DIR = join(root, 'dashboards', 'grafana');
/** What Grafana substitutes for a 15-minute range at a 15 s step with the 5 s scrape interval. */
const RANGE_S = 15 * 60;
const STEP_S = 15;
const BUILTINS: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '15m' };

/** Optional helper from the gateway work: headers that authorise a request through the gateway. */
async function gatewayHeaders(): Promise<Record<string, string>> {
  const helper = join(__dirname, '..', 'support', 'gateway-auth.js');
  if (!existsSync(helper)) return {};
  const mod = (await import(helper)) as { gatewayAuthHeaders?: () => Record<string, string> | Promise<Record<string, string>> };
  return mod.gatewayAuthHeaders ? await mod.gatewayAuthHeaders() : {};
}

/** A bounded load through the gateway: orders (order → member, order.placed → status) and member reads. */
async function loadRun(requests: number, concurrency: number): Promise<Map<number, number>> {
  const auth = await gatewayHeaders();
  const statuses = new Map<number, number>();
  let next = 0;
  async function worker(): Promise<void> {
    while (next < requests) {
      const i = next++;
      const res = i % 2 === 0
        ? await fetch(`${urls.gateway()}/api/order/v1/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-correlation-id': `dash-load-${i}`, ...auth },
          body: JSON.stringify({ memberId: 'm-100', items: [{ sku: 'espresso', quantity: 1 }] }),
        })
        : await fetch(`${urls.gateway()}/api/member/v1/members/m-200`, { headers: { 'x-correlation-id': `dash-load-${i}`, ...auth } });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

/** Prometheus HTTP API; POST (long expressions) where the endpoint accepts it, GET for label values. */
async function prom<T>(path: string, params: Record<string, string>): Promise<T> {
  const body = new URLSearchParams(params);
  const r = path.startsWith('/api/v1/label/')
    ? await getJson<PromResponse<T>>(`${urls.prometheus()}${path}?${body.toString()}`)
    : await getJson<PromResponse<T>>(`${urls.prometheus()}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body,
    });
  if (r.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${r.error ?? r.status}`);
  return r.data;
}

function substitute(expr: string, values: Record<string, string>): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => {
    const name = (a ?? b)!;
    return values[name] ?? BUILTINS[name] ?? whole;
  });
}

/** Values of a `label_values(selector, label)` variable, as Grafana's Prometheus datasource asks for them. */
async function variableValues(v: Variable, filled: Record<string, string>, end: number): Promise<string[]> {
  const m = /^label_values\((.+),\s*(\w+)\)$/.exec(v.query ?? '');
  assert.ok(m, `variable ${v.name}: only label_values(selector, label) queries are supported, got ${v.query}`);
  const [, selector, label] = m;
  const values = await prom<string[]>(`/api/v1/label/${label}/values`, {
    'match[]': substitute(selector!, filled), start: String(end - RANGE_S), end: String(end),
  });
  return values.sort();
}

/** Services `brewops up` runs (other tests register short-lived fixture services in the same registry). */
async function supervisedServices(): Promise<Set<string>> {
  const base = readStackState().supervisor?.url ?? 'http://127.0.0.1:9500';
  const { instances } = await getJson<{ instances: Array<{ service: string }> }>(`${base}/v1/instances`);
  return new Set(instances.map((i) => i.service));
}

/**
 * Fillings of a dashboard's variables: every value of the first one (e.g. every service the stack
 * runs), each with the first value of the variables that follow (e.g. its first instance).
 */
async function fillings(d: Dashboard, end: number, services: Set<string>): Promise<Array<Record<string, string>>> {
  // Query variables only: a textbox (correlation ID) feeds links, never a panel query.
  const vars = (d.templating?.list ?? []).filter((v) => v.type === 'query');
  if (vars.length === 0) return [{}];
  const out: Array<Record<string, string>> = [];
  const firstValues = (await variableValues(vars[0]!, {}, end)).filter((v) => vars[0]!.name !== 'service' || services.has(v));
  for (const first of firstValues) {
    const filled: Record<string, string> = { [vars[0]!.name]: first };
    for (const v of vars.slice(1)) {
      const values = await variableValues(v, filled, end);
      assert.ok(values.length > 0, `${d.title}: variable ${v.name} has no value for ${JSON.stringify(filled)}`);
      filled[v.name] = values[0]!;
    }
    out.push(filled);
  }
  assert.ok(out.length > 0, `${d.title}: variable ${vars[0]!.name} has no value`);
  return out;
}

test('every panel query of every dashboard returns series from the live Prometheus after a load run', async (t) => {
  const files = readdirSync(GRAFANA_DIR).filter((f) => f.endsWith('.json')).sort();
  assert.ok(files.length > 0, 'no dashboards in dashboards/grafana/: run npm run dashboards');

  const jobs = await prom<{ result: unknown[] }>('/api/v1/query', { query: 'up{job="rabbitmq-queues"}' });
  assert.ok(jobs.result.length > 0, 'Prometheus does not scrape the job rabbitmq-queues (per-queue RabbitMQ metrics): '
    + 'its prometheus.yml predates packages/cli/src/config/prometheus.ts; restart the stack with brewops up');

  const statuses = await loadRun(120, 4);
  const ok = [...statuses].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
  console.log(`load run: ${[...statuses].map(([s, c]) => `${c}× ${s}`).join(', ')}`);
  assert.ok(ok >= 100, `the load run mostly failed: ${JSON.stringify([...statuses])}`);
  await sleep(12_000); // two scrapes after the last request, so rates over the end of the run exist

  const end = Math.floor(Date.now() / 1000);
  const services = await supervisedServices();
  const empty: string[] = [];
  let checked = 0;
  for (const file of files) {
    const d = JSON.parse(readFileSync(join(GRAFANA_DIR, file), 'utf8')) as Dashboard;
    for (const filled of await fillings(d, end, services)) {
      const where = Object.keys(filled).length ? ` [${Object.entries(filled).map(([k, v]) => `${k}=${v}`).join(', ')}]` : '';
      for (const p of d.panels.filter((x) => x.type !== 'row')) {
        const counts: string[] = [];
        for (const target of p.targets ?? []) {
          const expr = substitute(target.expr, filled);
          const { result } = await prom<{ result: unknown[] }>('/api/v1/query_range', {
            query: expr, start: String(end - RANGE_S), end: String(end), step: String(STEP_S),
          });
          checked++;
          counts.push(`${target.refId}:${result.length}`);
          if (result.length === 0) empty.push(`${d.title}${where} / ${p.title} (${target.refId}): ${expr}`);
        }
        const total = counts.reduce((n, c) => n + Number(c.split(':')[1]), 0);
        console.log(`${d.title}${where} / ${p.title} → ${total} series${counts.length > 1 ? ` (${counts.join(' ')})` : ''}`);
      }
    }
  }
  console.log(`${checked} panel queries checked`);
  assert.deepEqual(empty, [], 'panel queries without data (fix the query, or remove the panel if it can never have data)');

  await t.test('exemplars on latency panels lead to traces stored in Zipkin', async () => {
    const overview = JSON.parse(readFileSync(join(GRAFANA_DIR, 'overview.json'), 'utf8')) as Dashboard;
    const target = overview.panels.flatMap((p) => p.targets ?? []).find((x) => x.exemplar === true);
    assert.ok(target, 'overview.json has no query with exemplars');
    const series = await prom<Array<{ exemplars: Array<{ labels: Record<string, string> }> }>>('/api/v1/query_exemplars', {
      query: substitute(target.expr, {}), start: String(end - RANGE_S), end: String(end),
    });
    const traceIds = [...new Set(series.flatMap((s) => s.exemplars.map((e) => e.labels['trace_id'])).filter(Boolean))] as string[];
    console.log(`exemplars: ${traceIds.length} trace IDs`);
    assert.ok(traceIds.length > 0, 'no exemplar with a trace_id on the p99 latency query');
    let found = 0;
    for (const id of traceIds.slice(-5)) {
      const r = await fetch(`${urls.zipkin()}/api/v2/trace/${id}`);
      if (r.ok) found++;
      await r.arrayBuffer();
    }
    assert.ok(found > 0, `none of the last exemplar trace IDs is in Zipkin: ${traceIds.slice(-5).join(', ')}`);
  });
});
