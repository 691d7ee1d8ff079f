/**
 * One order through the live stack: gateway → order → member (HTTP) and order → status (RabbitMQ).
 * What a user sees: logs in the search backend from all four services carrying the correlation ID
 * and one trace ID; one trace in Zipkin spanning all four with the consumer under the publish span;
 * per-service request histograms in Prometheus, scraped through discovery.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { brewops, eventually, getJson, urls } from '../support/stack.js';
import { isDescendant, logField, promQuery, searchLogs, zipkinTrace } from '../support/backends.js';
import { gatewayFetch } from '../support/gateway-auth.js';

const SERVICES = ['gateway', 'order', 'member', 'status'] as const;

test('brewops status reports every backend and instance ready', () => {
  const r = brewops('status', '--json');
  assert.equal(r.code, 0, `status exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  const rows = JSON.parse(r.stdout) as Array<{ name: string; state: string }>;
  for (const name of ['rabbitmq', 'etcd', 'zipkin', 'opensearch', 'prometheus', 'alertmanager']) {
    const row = rows.find((x) => x.name === name);
    assert.ok(row, `status has no row for backend ${name}`);
    assert.equal(row.state, 'ready', `${name} is ${row.state}`);
  }
  for (const svc of [...SERVICES, 'collector']) {
    assert.ok(rows.some((x) => x.name.startsWith(`${svc}-`) && x.state === 'ready'), `no ready ${svc} instance in status`);
  }
});

test('one order with a correlation ID: logs, one trace, metrics through discovery', async (t) => {
  const correlationId = `e2e-${randomUUID().slice(0, 8)}`;
  const res = await gatewayFetch(`${urls.gateway()}/api/order/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
    body: JSON.stringify({ memberId: 'm-100', items: [{ sku: 'flat-white', quantity: 2 }] }),
  });
  const body = (await res.json()) as { orderId: string; totalCents: number; pricingFallback: string | null };
  assert.equal(res.status, 201, JSON.stringify(body));
  assert.equal(res.headers.get('x-correlation-id'), correlationId, 'correlation ID not echoed');
  assert.equal(body.totalCents, 684, 'gold member discount (10 %) not applied: member was not reached');
  assert.equal(body.pricingFallback, null);

  // The read model got the event.
  await eventually('status read model to show the order', async () => {
    const r = await gatewayFetch(`${urls.gateway()}/api/status/v1/orders/${body.orderId}/status`);
    return r.status === 200 ? r : undefined;
  }, 15_000);

  let traceId = '';
  await t.test('log lines from gateway, order, member and status carry the ID and one trace.id', async () => {
    const docs = await eventually('logs from all four services in the search backend', async () => {
      const found = await searchLogs('correlation.id', correlationId);
      const services = new Set(found.map((d) => logField(d, 'service.name')));
      return SERVICES.every((s) => services.has(s)) ? found : undefined;
    }, 45_000, 1000);
    const traceIds = new Set(docs.map((d) => logField(d, 'trace.id')).filter(Boolean));
    assert.equal(traceIds.size, 1, `expected one trace.id across the order's log lines, got ${[...traceIds].join(', ')}`);
    traceId = [...traceIds][0]!;
    for (const d of docs) {
      for (const f of ['@timestamp', 'log.level', 'message', 'service.name', 'service.instance.id', 'trace.id', 'span.id']) {
        assert.ok(logField(d, f), `log line from ${logField(d, 'service.name')} lacks ${f}: ${JSON.stringify(d).slice(0, 300)}`);
      }
    }
    console.log(`  ${docs.length} log lines for ${correlationId} in trace ${traceId}`);
  });

  await t.test('one trace in Zipkin with spans from all four services; consumer under the publish span', async () => {
    assert.ok(traceId, 'no trace id from the logs');
    const spans = await eventually('the whole trace in Zipkin', async () => {
      const s = await zipkinTrace(traceId);
      const services = new Set(s.map((x) => x.localEndpoint?.serviceName));
      const hasConsumer = s.some((x) => x.localEndpoint?.serviceName === 'status' && x.kind === 'CONSUMER');
      return SERVICES.every((n) => services.has(n)) && hasConsumer ? s : undefined;
    }, 30_000, 1000);
    const publish = spans.filter((s) => s.localEndpoint?.serviceName === 'order' && s.kind === 'PRODUCER');
    assert.ok(publish.length >= 1, `no PRODUCER span from order: ${spans.map((s) => `${s.localEndpoint?.serviceName}:${s.kind}:${s.name}`).join(', ')}`);
    const consumer = spans.find((s) => s.localEndpoint?.serviceName === 'status' && s.kind === 'CONSUMER')!;
    assert.ok(publish.some((p) => isDescendant(spans, consumer, p.id)), 'status consumer span is not a descendant of order\'s publish span');
    console.log(`  trace ${traceId}: ${spans.length} spans from ${[...new Set(spans.map((s) => s.localEndpoint?.serviceName))].join(', ')}`);
  });

  await t.test('request histograms per service with the route label, scraped through discovery', async () => {
    // Targets come only from http_sd (fed by the registry); wait until each service has a healthy one.
    const discovered = await eventually('Prometheus to discover and scrape every service', async () => {
      const targets = await getJson<{ data: { activeTargets: Array<{ scrapePool: string; labels: Record<string, string>; health: string }> } }>(
        `${urls.prometheus()}/api/v1/targets?state=active`);
      const pool = targets.data.activeTargets.filter((x) => x.scrapePool === 'brewops');
      return SERVICES.every((s) => pool.some((x) => x.labels['service'] === s && x.health === 'up')) ? pool : undefined;
    }, 30_000, 1000);
    console.log(`  Prometheus scrapes ${discovered.length} targets found through discovery`);
    // Each service's business route, by its template: raw paths would make one series per ID.
    const expected: Record<(typeof SERVICES)[number], string> = {
      gateway: '/api/:service{/*rest}',
      order: '/v1/orders',
      member: '/v1/members/:id',
      status: '/v1/orders/:id/status',
    };
    for (const svc of SERVICES) {
      const series = await eventually(`request histogram of ${svc} for route ${expected[svc]} in Prometheus`, async () => {
        const r = await promQuery(`http_server_request_duration_seconds_count{service="${svc}", route="${expected[svc]}"}`);
        return r.length > 0 ? r : undefined;
      }, 30_000, 1000);
      assert.ok(series.every((s) => s.metric['instance_id']?.startsWith(`${svc}-`)), `${svc} series lack the discovery label instance_id`);
    }
    const all = await promQuery('http_server_request_duration_seconds_count');
    const raw = all.filter((s) => /[0-9a-f]{8}-[0-9a-f]{4}|m-[0-9]{3}/.test(s.metric['route'] ?? ''));
    assert.deepEqual(raw.map((s) => s.metric['route']), [], 'route labels contain raw IDs');
  });
});
