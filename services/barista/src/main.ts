import { startService } from '@brewops/platform';
import { wireBarista } from './app.js';
import type { BaristaComponents } from './app.js';
import { baristaRoutes } from './routes/bar.js';
import { consumeSagaEvents } from './events/saga-consumer.js';

let barista: BaristaComponents | undefined;

startService({
  name: 'barista',
  messaging: true,
  routes: (router, rt) => {
    barista = wireBarista(rt);
    baristaRoutes(router, barista.repo);
  },
  start: async (rt) => {
    barista!.relay.start();
    await consumeSagaEvents(rt, barista!.service);
  },
}).catch((err: unknown) => {
  console.error('barista failed to start:', err);
  process.exit(1);
});
