import type Router from '@koa/router';
import { notFound } from '@brewops/platform';
import type { StatusReadModel } from '../handlers/read-model.js';

export function statusRoutes(router: Router, model: StatusReadModel): void {
  router.get('/v1/orders/:id/status', (ctx) => {
    const status = model.get(ctx.params['id'] ?? '');
    if (!status) throw notFound('order_not_found', 'no status for this order (yet)');
    ctx.body = status;
  });
}
