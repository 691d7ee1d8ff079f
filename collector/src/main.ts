import { startService } from '@brewops/platform';
import { readCollectorConfig } from './config.js';
import { SearchWriter } from './search-writer.js';
import { startPipeline } from './pipeline.js';
import { startRetention } from './retention.js';
import { startQueueLag } from './queue-lag.js';

const cfg = readCollectorConfig();

startService({
  name: 'collector',
  messaging: true,
  start: async (rt) => {
    const writer = new SearchWriter(cfg, rt.logger);
    rt.readiness.check('search', () => writer.ping());
    rt.lifecycle.onShutdown('search', () => writer.close(), 'flush');
    await startPipeline(rt, cfg, writer);
    const lag = startQueueLag(rt.env.amqpUrl, [cfg.logsQueue, cfg.eventsQueue], cfg.lagSampleMs, rt.metrics.registry, rt.logger);
    rt.lifecycle.onShutdown('queue-lag', () => lag.stop(), 'drain');
    const retention = startRetention(writer, {
      prefixes: [cfg.logIndexPrefix, cfg.eventIndexPrefix],
      retentionDays: cfg.retentionDays,
      everyMs: cfg.retentionEveryMs,
    }, rt.logger);
    rt.lifecycle.onShutdown('retention', async () => retention.stop(), 'drain');
  },
}).catch((err: unknown) => {
  console.error('collector failed to start:', err);
  process.exit(1);
});
