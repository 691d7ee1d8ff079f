import type Router from '@koa/router';
import { notFound } from '@brewops/platform';
import type { PaymentsRepo } from '../db/payments-repo.js';
import { PAYMENT_OPENAPI } from '../openapi.js';

export function paymentRoutes(router: Router, repo: PaymentsRepo): void {
  router.get('/v1/openapi.json', (ctx) => {
    ctx.body = PAYMENT_OPENAPI;
  });
  router.get('/v1/payments/:orderId', (ctx) => {
    const payment = repo.get(ctx.params['orderId'] ?? '');
    if (!payment) throw notFound('payment_not_found', 'no payment for this order (yet)');
    ctx.body = payment;
  });
}
