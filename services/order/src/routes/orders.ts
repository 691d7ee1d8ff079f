import type Router from '@koa/router';
import { notFound, requestBody } from '@brewops/platform';
import type { ServiceRuntime } from '@brewops/platform';
import { MENU } from '../handlers/menu.js';
import { parsePlaceOrder, priceOrder } from '../handlers/place-order.js';
import { lookupMember } from '../handlers/member-lookup.js';
import { idempotencyKeyOf, replay, requestHash } from '../handlers/idempotency.js';
import type { MemberApi } from '../handlers/member-lookup.js';
import type { OrderService } from '../handlers/order-service.js';
import type { OrdersRepo } from '../db/orders-repo.js';
import { ORDER_OPENAPI } from '../openapi.js';

export function orderRoutes(router: Router, rt: ServiceRuntime, service: OrderService, repo: OrdersRepo, member: MemberApi): void {
  router.get('/v1/openapi.json', (ctx) => {
    ctx.body = ORDER_OPENAPI;
  });

  router.get('/v1/menu', (ctx) => {
    ctx.body = { items: MENU };
  });

  router.post('/v1/orders', async (ctx) => {
    const key = idempotencyKeyOf(ctx.get('idempotency-key') || undefined);
    const raw = requestBody(ctx);
    const hash = requestHash(raw);
    if (key !== undefined) {
      const stored = service.storedResponse(key);
      if (stored) {
        const again = replay(stored, hash);
        ctx.set('idempotent-replayed', 'true');
        ctx.status = again.statusCode;
        ctx.body = again.body;
        return;
      }
    }
    const body = parsePlaceOrder(raw);
    const order = priceOrder(body, await lookupMember(member, body.memberId, rt.logger));
    const res = service.place(order, ...(key !== undefined ? [{ key, hash }] as const : []));
    rt.logger.info({ orderId: (res.body as { orderId: string }).orderId, totalCents: order.totalCents, pricingFallback: order.pricingFallback, pricingFallbackCause: order.pricingFallbackCause }, 'order placed');
    ctx.status = res.statusCode;
    ctx.body = res.body;
  });

  router.get('/v1/orders/:id', (ctx) => {
    const order = repo.get(ctx.params['id'] ?? '');
    if (!order) throw notFound('order_not_found', 'no order with this id');
    ctx.body = order;
  });
}
