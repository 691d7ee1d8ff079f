import type { RuntimeEnv } from '../env.js';
import { ConfigWatch, LiveConfig, createConfigEtcdClient, createConfigMetrics, localCopyFile, serviceConfigSchema } from '../config/index.js';
import type { ServiceConfigShape } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { Metrics } from '../metrics/index.js';

export interface LoadedServiceConfig {
  readonly live: LiveConfig;
  close(): Promise<void>;
}

/**
 * The instance's live config: loaded from etcd (or the last good local copy) and watched. The
 * log level follows it live; until a config is pushed, `LOG_LEVEL` from the env stays in force.
 */
export async function loadServiceConfig(env: RuntimeEnv, logger: Logger, metrics: Metrics, extension?: ServiceConfigShape): Promise<LoadedServiceConfig> {
  const live = new LiveConfig(serviceConfigSchema(extension), {
    logger,
    metrics: createConfigMetrics(metrics.registry),
    service: env.service,
  });
  live.on('change', (next, previous) => {
    if (next.value.logLevel !== previous.value.logLevel || previous.origin === 'defaults') {
      if (logger.level !== next.value.logLevel) logger.info({ 'config.revision': next.revision }, `log level ${logger.level} → ${next.value.logLevel}`);
      logger.level = next.value.logLevel;
    }
  });
  const client = createConfigEtcdClient(env.etcdHosts, 3000);
  const watch = new ConfigWatch({ client, service: env.service, live, logger, localCopyFile: localCopyFile(env.stateDir, env.service) });
  await watch.start();
  return {
    live,
    async close() {
      await watch.close();
      client.close();
    },
  };
}
