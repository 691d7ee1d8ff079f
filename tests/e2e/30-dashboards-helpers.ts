// Helpers of the dashboard e2e tests (30-dashboards-live, 71-dashboards-incident): every panel
// query of the generated Grafana JSON, with its variables filled in the way Grafana fills them,
// run against the live Prometheus.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gatewayFetch } from '../support/gateway-auth.js';
import { getJson, readStackState, root, urls } from '../support/stack.js';

export interface Target { refId: string; expr: string; exemplar?: boolean }
export interface Panel { type: string; title: string; targets?: Target[] }
interface Variable {
  name: string;
  type: string;
  query?: string;
  includeAll?: boolean;
  allValue?: string;
  current?: { value?: string | string[] };
}
export interface Dashboard { title: string; panels: Panel[]; templating?: { list: Variable[] } }
interface PromResponse<T> { status: string; data: T; error?: string }

export const GRAFANA_DIR = join(root, 'dashboards', 'grafana');
/** What Grafana substitutes for a 15-minute range at a 15 s step with the 5 s scrape interval. */
export const RANGE_S = 15 * 60;
const STEP_S = 15;
const BUILTINS: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '15m' };

/**
 * Panels that have data only after the controller handled an incident (an instance killed and
 * brought back): tests/e2e/30 prints them without asserting; tests/e2e/71, after the control-loop
 * e2e (70), asserts them.
 */
export const INCIDENT_PANELS: ReadonlyArray<{ dashboard: string; panel: string }> = [
  { dashboard: 'brewops / Control loop', panel: 'Actions by type and result' },
  { dashboard: 'brewops / Control loop', panel: 'Time to detect and reroute' },
  { dashboard: 'brewops / Control loop', panel: 'Time to restart and recover' },
  { dashboard: 'brewops / Control loop', panel: 'Verifications after reinstate' },
];

export const isIncidentPanel = (d: Dashboard, p: Panel): boolean =>
  INCIDENT_PANELS.some((x) => x.dashboard === d.title && x.panel === p.title);

export function readDashboards(): Dashboard[] {
  const files = readdirSync(GRAFANA_DIR).filter((f) => f.endsWith('.json')).sort();
  assert.ok(files.length > 0, 'no dashboards in dashboards/grafana/: run npm run dashboards');
  return files.map((f) => JSON.parse(readFileSync(join(GRAFANA_DIR, f), 'utf8')) as Dashboard);
}

/**
 * A bounded load through the gateway: orders (order → member, the saga through payment and
 * barista to status) and member reads. Every 10th order is over the card limit (payment declined,
 * order cancelled) and every 10th orders cold brew, which is never in stock (refund and cancel:
 * both compensations).
 */
export async function loadRun(requests: number, concurrency: number): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let next = 0;
  const order = (i: number): unknown => {
    if (i % 20 === 0) return { items: [{ sku: 'flat-white', quantity: 15 }] }; // 5700 cents > 5000 limit
    if (i % 20 === 10) return { memberId: 'm-100', items: [{ sku: 'cold-brew', quantity: 1 }] };
    return { memberId: 'm-100', items: [{ sku: 'espresso', quantity: 1 }] };
  };
  async function worker(): Promise<void> {
    while (next < requests) {
      const i = next++;
      const headers = { 'content-type': 'application/json', 'x-correlation-id': `dash-load-${i}` };
      const res = i % 2 === 0
        ? await gatewayFetch(`${urls.gateway()}/api/order/v1/orders`, { method: 'POST', headers, body: JSON.stringify(order(i)) })
        : await gatewayFetch(`${urls.gateway()}/api/member/v1/members/m-200`, { headers });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

/** Prometheus HTTP API; POST (long expressions) where the endpoint accepts it, GET for label values. */
export async function prom<T>(path: string, params: Record<string, string>): Promise<T> {
  const body = new URLSearchParams(params);
  const r = path.startsWith('/api/v1/label/')
    ? await getJson<PromResponse<T>>(`${urls.prometheus()}${path}?${body.toString()}`)
    : await getJson<PromResponse<T>>(`${urls.prometheus()}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body,
    });
  if (r.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${r.error ?? r.status}`);
  return r.data;
}

export function substitute(expr: string, values: Record<string, string>): string {
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

/** A variable that opens on "All" (its saved `current`): Grafana substitutes its allValue. */
function opensOnAll(v: Variable): boolean {
  const c = v.current?.value;
  return v.includeAll === true && (c === '$__all' || (Array.isArray(c) && c.includes('$__all')));
}

/** Services `brewops up` runs (other tests register short-lived fixture services in the same registry). */
async function supervisedServices(): Promise<Set<string>> {
  const base = readStackState().supervisor?.url ?? 'http://127.0.0.1:9500';
  const { instances } = await getJson<{ instances: Array<{ service: string }> }>(`${base}/v1/instances`);
  return new Set(instances.map((i) => i.service));
}

/**
 * Fillings of a dashboard's variables: every value of the first one (e.g. every service the stack
 * runs), each with the value the following ones open on: "All" where the dashboard saved it, else
 * their first value (e.g. the service's first instance).
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
      filled[v.name] = opensOnAll(v) ? (v.allValue ?? '.*') : values[0]!;
    }
    out.push(filled);
  }
  assert.ok(out.length > 0, `${d.title}: variable ${vars[0]!.name} has no value`);
  return out;
}

export interface PanelCheck {
  /** Panel queries run. */
  checked: number;
  /** `dashboard [vars] / panel (refId): expr` of each query without a series... */
  empty: string[];
  /** ...and of those among them in an INCIDENT_PANELS panel. */
  emptyIncident: string[];
}

/**
 * Runs the query of every panel `which` selects over the last 15 minutes (ending `end`) and
 * prints each panel's series count.
 */
export async function checkPanels(end: number, which: (d: Dashboard, p: Panel) => boolean): Promise<PanelCheck> {
  const services = await supervisedServices();
  const res: PanelCheck = { checked: 0, empty: [], emptyIncident: [] };
  for (const d of readDashboards()) {
    const panels = d.panels.filter((p) => p.type !== 'row' && which(d, p));
    if (panels.length === 0) continue;
    for (const filled of await fillings(d, end, services)) {
      const where = Object.keys(filled).length ? ` [${Object.entries(filled).map(([k, v]) => `${k}=${v}`).join(', ')}]` : '';
      for (const p of panels) {
        const counts: string[] = [];
        for (const target of p.targets ?? []) {
          const expr = substitute(target.expr, filled);
          const { result } = await prom<{ result: unknown[] }>('/api/v1/query_range', {
            query: expr, start: String(end - RANGE_S), end: String(end), step: String(STEP_S),
          });
          res.checked++;
          counts.push(`${target.refId}:${result.length}`);
          if (result.length === 0) {
            const line = `${d.title}${where} / ${p.title} (${target.refId}): ${expr}`;
            (isIncidentPanel(d, p) ? res.emptyIncident : res.empty).push(line);
          }
        }
        const total = counts.reduce((n, c) => n + Number(c.split(':')[1]), 0);
        console.log(`${d.title}${where} / ${p.title} → ${total} series${counts.length > 1 ? ` (${counts.join(' ')})` : ''}`);
      }
    }
  }
  return res;
}
