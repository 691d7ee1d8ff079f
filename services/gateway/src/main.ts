import { disableKoaInstrumentation, startService } from '@brewops/platform';
import { readGatewayConfig } from './config.js';
import { installEdge } from './edge.js';

const config = readGatewayConfig();
// The gateway has no router layers on its request path (one edge middleware handles /api/**):
// Koa spans would be none, but the instrumentation's wrapper would still run around every
// platform middleware on every request. HTTP server and undici client spans stay.
disableKoaInstrumentation();

startService({
  name: 'gateway',
  defaultPort: 8080,
  // /health/* and /metrics on a loopback listener of their own, registered in etcd (edge.ts: 404 here)
  adminPort: config.adminPort,
  bodyLimit: '64kb',
  routes: (_router, rt) => installEdge(rt, config),
}).catch((err: unknown) => {
  console.error('gateway failed to start:', err);
  process.exit(1);
});
