import type Router from '@koa/router';
import { notFound, requestBody } from '@brewops/platform';
import type { ServiceRuntime } from '@brewops/platform';
import { decideRoute } from '../handlers/route-table.js';

/** Response headers copied from the upstream. */
const PASS_HEADERS = ['content-type', 'location', 'retry-after', 'cache-control', 'etag'];

export function proxyRoutes(router: Router, rt: ServiceRuntime): void {
  router.all('/api/:service{/*rest}', async (ctx) => {
    const params = ctx.params as Record<string, string | string[] | undefined>;
    const rest = Array.isArray(params['rest']) ? params['rest'].join('/') : params['rest'] ?? '';
    const decision = decideRoute(String(params['service'] ?? ''), rest, ctx.querystring);
    if (decision.kind === 'unknown_service') throw notFound('unknown_service', `no public service "${decision.service}"`);
    if (decision.kind === 'internal') throw notFound('not_found', 'not found');
    const client = await rt.client(decision.service);
    const headers: Record<string, string> = {};
    const accept = ctx.get('accept');
    if (accept) headers['accept'] = accept;
    const idem = ctx.get('idempotency-key');
    if (idem) headers['idempotency-key'] = idem;
    const res = await client.request({
      method: ctx.method,
      path: decision.path,
      headers,
      ...(requestBody(ctx) !== undefined && ctx.method !== 'GET' ? { body: requestBody(ctx) } : {}),
    });
    ctx.status = res.status;
    for (const h of PASS_HEADERS) {
      const v = res.headers[h];
      if (typeof v === 'string') ctx.set(h, v);
    }
    ctx.set('x-upstream-instance', res.instanceId);
    ctx.body = res.body;
  });
}
