import { startService } from '@brewops/platform';
import { readGatewayConfig } from './config.js';
import { installEdge } from './edge.js';

const config = readGatewayConfig();

startService({
  name: 'gateway',
  defaultPort: 8080,
  bodyLimit: '64kb',
  routes: (_router, rt) => installEdge(rt, config),
}).catch((err: unknown) => {
  console.error('gateway failed to start:', err);
  process.exit(1);
});
