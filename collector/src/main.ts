import { startService } from '@brewops/platform';
import { readCollectorConfig } from './config.js';
import { SearchWriter } from './search-writer.js';
import { startPipeline } from './pipeline.js';

const cfg = readCollectorConfig();

startService({
  name: 'collector',
  messaging: true,
  start: async (rt) => {
    const writer = new SearchWriter(cfg, rt.logger);
    rt.readiness.check('search', () => writer.ping());
    rt.lifecycle.onShutdown('search', () => writer.close(), 'flush');
    await startPipeline(rt, cfg, writer);
  },
}).catch((err: unknown) => {
  console.error('collector failed to start:', err);
  process.exit(1);
});
