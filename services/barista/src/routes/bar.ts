import type Router from '@koa/router';
import { z } from 'zod';
import { badRequest, notFound, requestBody } from '@brewops/platform';
import type { BarRepo } from '../db/bar-repo.js';
import { BARISTA_OPENAPI } from '../openapi.js';

const SetStock = z.object({ quantity: z.number().int().min(0).max(10_000_000) }).strict();

export function baristaRoutes(router: Router, repo: BarRepo): void {
  router.get('/v1/openapi.json', (ctx) => {
    ctx.body = BARISTA_OPENAPI;
  });
  router.get('/v1/stock', (ctx) => {
    ctx.body = { items: repo.allStock() };
  });
  router.put('/v1/stock/:sku', (ctx) => {
    const parsed = SetStock.safeParse(requestBody(ctx));
    if (!parsed.success) throw badRequest('invalid_stock', 'body must be {"quantity": <integer >= 0>}', { field: 'quantity' });
    const sku = ctx.params['sku'] ?? '';
    if (!repo.setStock(sku, parsed.data.quantity)) throw notFound('sku_not_stocked', `"${sku}" is not stocked`);
    ctx.body = { sku, quantity: parsed.data.quantity };
  });
  router.get('/v1/brews/:orderId', (ctx) => {
    const brew = repo.brew(ctx.params['orderId'] ?? '');
    if (!brew) throw notFound('brew_not_found', 'this order was not brewed (yet)');
    ctx.body = brew;
  });
}
