import { startService } from '@brewops/platform';
import { wireOrder } from './app.js';
import type { OrderComponents } from './app.js';
import { orderRoutes } from './routes/orders.js';
import { consumeSagaEvents } from './events/saga-consumer.js';

let order: OrderComponents | undefined;

startService({
  name: 'order',
  messaging: true,
  routes: (router, rt) => {
    order = wireOrder(rt);
    orderRoutes(router, rt, order.service, order.repo, order.member);
  },
  start: async (rt) => {
    const { config, relay, service } = order!;
    if (config.relayStartDelayMs > 0) setTimeout(() => relay.start(), config.relayStartDelayMs).unref();
    else relay.start();
    await consumeSagaEvents(rt, service, config.sagaQueue);
  },
}).catch((err: unknown) => {
  console.error('order failed to start:', err);
  process.exit(1);
});
