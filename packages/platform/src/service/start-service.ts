import Router from '@koa/router';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { readRuntimeEnv } from '../env.js';
import { createLogger, LogShipper } from '../log/index.js';
import { createMetrics } from '../metrics/index.js';
import { createApp, listen, Lifecycle, Readiness } from '../http/index.js';
import { Messaging } from '../messaging/index.js';
import { Discovery } from '../discovery/index.js';
import { ServiceClient } from '../client/index.js';
import { shutdownTelemetry } from '../telemetry/index.js';
import { declareLogTopology } from './topology.js';
import { loadServiceConfig } from './service-config.js';
import { faultMiddleware } from '../faults/index.js';
import { EXCHANGE_LOGS } from '../semconv.js';
import type { ServiceRuntime, ServiceSpec } from './types.js';

/**
 * Boots one service instance the way every brewops service boots:
 * env → metrics → logger (stdout + batched shipping over RabbitMQ) → config (etcd, watched; else
 * the last good local copy) → readiness → HTTP app (+ fault injection) → messaging (optional) →
 * listen → spec.start → register in discovery under a lease.
 * SIGTERM: stop intake, drain consumers, deregister, flush logs and telemetry, exit.
 */
export async function startService(spec: ServiceSpec): Promise<ServiceRuntime> {
  const env = readRuntimeEnv(process.env, {
    service: spec.name,
    ...(spec.defaultPort !== undefined ? { port: spec.defaultPort } : {}),
  });
  const metrics = createMetrics({ service: env.service, instanceId: env.instanceId });
  const shipper = new LogShipper({ registry: metrics.registry });
  const logger = createLogger({ service: env.service, instanceId: env.instanceId, level: env.logLevel, shipper });
  const readiness = new Readiness();
  const lifecycle = new Lifecycle({ logger });
  const config = await loadServiceConfig(env, logger, metrics, spec.config);
  lifecycle.onShutdown('config', () => config.close(), 'deregister');

  // Log shipping needs a broker connection even in services that publish nothing themselves.
  const messaging = new Messaging({
    url: env.amqpUrl,
    connectionName: env.instanceId,
    logger,
    registry: metrics.registry,
  });
  if (spec.messaging) readiness.check('amqp', () => messaging.isConnected);
  await messaging.addTopology(declareLogTopology);
  shipper.attach((lines) =>
    // Shipping logs must never create spans of its own (they would be logged, shipped, traced...).
    context.with(suppressTracing(ROOT_CONTEXT), () =>
      messaging.publish(EXCHANGE_LOGS, env.service, Buffer.from(lines.join('\n')), {
        contentType: 'application/x-ndjson',
      }),
    ),
  );
  messaging.start().catch((err: unknown) => logger.error({ err }, 'messaging failed to start'));

  const discovery = new Discovery({ hosts: env.etcdHosts, logger, ttlSeconds: env.discoveryTtlSeconds });
  const clients = new Map<string, Promise<ServiceClient>>();

  const app = createApp({ service: env.service, instanceId: env.instanceId, logger, metrics, readiness, ...(spec.bodyLimit ? { bodyLimit: spec.bodyLimit } : {}) });
  app.use(faultMiddleware({ faults: () => config.live.current.faults, instanceId: env.instanceId, registry: metrics.registry }));
  const router = new Router();

  // The runtime object is completed once the server listens.
  const runtime = {
    env,
    logger,
    metrics,
    readiness,
    lifecycle,
    discovery,
    config: config.live,
    app,
    messaging: spec.messaging ? messaging : undefined,
    port: 0,
    client(service: string): Promise<ServiceClient> {
      let c = clients.get(service);
      if (!c) {
        c = discovery.watch(service).then((watch) => {
          const client = new ServiceClient(watch, { service, registry: metrics.registry, logger });
          lifecycle.onShutdown(`client:${service}`, async () => { watch.close(); await client.close(); }, 'deregister');
          return client;
        });
        clients.set(service, c);
      }
      return c;
    },
  } satisfies ServiceRuntime as { -readonly [K in keyof ServiceRuntime]: ServiceRuntime[K] };

  spec.routes?.(router, runtime);
  app.use(router.routes());
  app.use(router.allowedMethods());

  const { server, port } = await listen(app, { host: env.host, port: env.port });
  runtime.port = port;

  lifecycle.attachServer(server, readiness);
  lifecycle.onShutdown('consumers', () => messaging.stopConsuming(), 'drain');
  if (spec.start) {
    if (spec.messaging) {
      // Consumers need a connection; wait for it, but let the process serve /health meanwhile.
      await messaging.start();
    }
    await spec.start(runtime);
  }

  const registration = await discovery.register({
    service: env.service,
    instanceId: env.instanceId,
    host: env.host,
    port,
    version: env.version,
    zone: env.zone,
  });
  lifecycle.onShutdown('discovery', async () => { await registration.deregister(); await discovery.close(); }, 'deregister');
  // Order matters: the last log lines go out over the still-open connection, then it closes.
  lifecycle.onShutdown('logs', () => shipper.flush(2000), 'flush');
  lifecycle.onShutdown('messaging', () => messaging.close(), 'flush');
  lifecycle.onShutdown('telemetry', () => shutdownTelemetry(), 'flush');
  lifecycle.install();

  logger.info({ port, host: env.host, version: env.version }, `${env.service} ready on http://${env.host}:${port}`);
  return runtime;
}
