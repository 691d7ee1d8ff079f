import { startService } from '@brewops/platform';
import { proxyRoutes } from './routes/proxy.js';

startService({
  name: 'gateway',
  defaultPort: 8080,
  bodyLimit: '64kb',
  routes: (router, rt) => proxyRoutes(router, rt),
}).catch((err: unknown) => {
  console.error('gateway failed to start:', err);
  process.exit(1);
});
