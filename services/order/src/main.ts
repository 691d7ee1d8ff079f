import { declareEventsExchange, startService } from '@brewops/platform';
import type { Order } from './handlers/place-order.js';
import { orderRoutes } from './routes/orders.js';

const orders = new Map<string, Order>();

startService({
  name: 'order',
  messaging: true,
  routes: (router, rt) => orderRoutes(router, rt, orders),
  start: async (rt) => {
    await rt.messaging!.addTopology(declareEventsExchange);
  },
}).catch((err: unknown) => {
  console.error('order failed to start:', err);
  process.exit(1);
});
