import type Router from '@koa/router';
import { notFound, requestBody, semconv } from '@brewops/platform';
import type { ServiceRuntime } from '@brewops/platform';
import { MENU } from '../handlers/menu.js';
import { parsePlaceOrder, priceOrder } from '../handlers/place-order.js';
import type { Order } from '../handlers/place-order.js';
import { lookupMember } from '../handlers/member-lookup.js';
import { ORDER_PLACED, orderPlaced } from '../events/order-placed.js';

export function orderRoutes(router: Router, rt: ServiceRuntime, orders: Map<string, Order>): void {
  router.get('/v1/menu', (ctx) => {
    ctx.body = { items: MENU };
  });

  router.post('/v1/orders', async (ctx) => {
    const body = parsePlaceOrder(requestBody(ctx));
    const member = await lookupMember(await rt.client('member'), body.memberId, rt.logger);
    const order = priceOrder(body, member);
    // The transactional outbox replaces this direct publish in the business issue.
    await rt.messaging!.publish(semconv.EXCHANGE_EVENTS, ORDER_PLACED, orderPlaced(order));
    orders.set(order.orderId, order);
    rt.logger.info({ orderId: order.orderId, totalCents: order.totalCents, pricingFallback: order.pricingFallback }, 'order placed');
    ctx.status = 201;
    ctx.body = order;
  });

  router.get('/v1/orders/:id', (ctx) => {
    const order = orders.get(ctx.params['id'] ?? '');
    if (!order) throw notFound('order_not_found', 'no order with this id');
    ctx.body = order;
  });
}
