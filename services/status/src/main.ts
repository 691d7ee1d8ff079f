import { startService } from '@brewops/platform';
import { StatusReadModel } from './handlers/read-model.js';
import { statusRoutes } from './routes/status.js';
import { consumeOrderEvents } from './events/order-events.js';

const model = new StatusReadModel();

startService({
  name: 'status',
  messaging: true,
  routes: (router) => statusRoutes(router, model),
  start: (rt) => consumeOrderEvents(rt, model),
}).catch((err: unknown) => {
  console.error('status failed to start:', err);
  process.exit(1);
});
