import { startService } from '@brewops/platform';
import { wirePayment } from './app.js';
import type { PaymentComponents } from './app.js';
import { paymentRoutes } from './routes/payments.js';
import { consumeSagaEvents } from './events/saga-consumer.js';

let payment: PaymentComponents | undefined;

startService({
  name: 'payment',
  messaging: true,
  routes: (router, rt) => {
    payment = wirePayment(rt);
    paymentRoutes(router, payment.repo);
  },
  start: async (rt) => {
    payment!.relay.start();
    await consumeSagaEvents(rt, payment!.service);
  },
}).catch((err: unknown) => {
  console.error('payment failed to start:', err);
  process.exit(1);
});
