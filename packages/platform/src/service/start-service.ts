import Router from '@koa/router';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { readRuntimeEnv } from '../env.js';
import { createLogger, LogShipper } from '../log/index.js';
import { createMetrics } from '../metrics/index.js';
import { closeServer, createApp, listen, Lifecycle, Readiness } from '../http/index.js';
import { Messaging } from '../messaging/index.js';
import { Discovery } from '../discovery/index.js';
import { ServiceClient, upstreamPolicyFrom } from '../client/index.js';
import { shutdownTelemetry } from '../telemetry/index.js';
import { declareLogTopology } from './topology.js';
import { loadServiceConfig } from './service-config.js';
import { faultMiddleware, FaultRunner } from '../faults/index.js';
import { EXCHANGE_LOGS } from '../semconv.js';
import type { ServiceRuntime, ServiceSpec } from './types.js';

/** The admin listener (spec.adminPort) is reachable from this machine only. */
const ADMIN_HOST = '127.0.0.1';

/**
 * Boots one service instance the way every brewops service boots:
 * env → metrics → logger (stdout + batched shipping over RabbitMQ) → config (etcd, watched; else
 * the last good local copy) → readiness → HTTP app (+ fault injection) → messaging (optional) →
 * listen (+ the admin listener when asked) → spec.start → register in discovery under a lease. Fault flags apply from the start (faults/).
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

  // Process-level faults (crash, memory, CPU, broker disconnect), started and stopped on every config change.
  const faultRunner = new FaultRunner({ faults: () => config.live.current.faults, instanceId: env.instanceId, logger, registry: metrics.registry, broker: messaging });
  config.live.on('change', () => faultRunner.apply());
  faultRunner.apply();
  lifecycle.onShutdown('faults', async () => faultRunner.close(), 'intake');

  const discovery = new Discovery({ hosts: env.etcdHosts, logger, ttlSeconds: env.discoveryTtlSeconds });
  const clients = new Map<string, Promise<ServiceClient>>();

  // Fault injection sees readiness too (a hung or failing instance fails its probes), not liveness or /metrics.
  const faults = faultMiddleware({ faults: () => config.live.current.faults, instanceId: env.instanceId, registry: metrics.registry });
  const app = createApp({ service: env.service, instanceId: env.instanceId, logger, metrics, readiness, beforeRoutes: faults, ...(spec.bodyLimit ? { bodyLimit: spec.bodyLimit } : {}) });
  // With an admin port, probes and scrapes get an app of their own (same middleware, fault
  // injection included, no service routes) on a loopback listener.
  const adminApp = spec.adminPort === undefined ? undefined : createApp({ service: env.service, instanceId: env.instanceId, logger, metrics, readiness, beforeRoutes: faults });
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
    adminPort: undefined as number | undefined,
    client(service: string): Promise<ServiceClient> {
      let c = clients.get(service);
      if (!c) {
        c = discovery.watch(service).then((watch) => {
          // call policy from `upstreams.<service>` in this service's config, applied live
          const client = new ServiceClient(watch, { service, registry: metrics.registry, logger, policy: upstreamPolicyFrom(config.live, service) });
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
  let adminPort: number | undefined;
  if (adminApp !== undefined) {
    const admin = await listen(adminApp, { host: ADMIN_HOST, port: spec.adminPort ?? 0 });
    adminPort = admin.port;
    runtime.adminPort = adminPort;
    // Probes see 503 `draining` while the public listener drains; the admin one closes last.
    lifecycle.onShutdown('admin-server', () => closeServer(admin.server, 1_000), 'flush');
  }
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
    ...(adminPort === undefined ? { port } : { port: adminPort, publicPort: port }),
    version: env.version,
    zone: env.zone,
  });
  lifecycle.onShutdown('discovery', async () => { await registration.deregister(); await discovery.close(); }, 'deregister');
  // Order matters: the last log lines go out over the still-open connection, then it closes.
  lifecycle.onShutdown('logs', () => shipper.flush(2000), 'flush');
  lifecycle.onShutdown('messaging', () => messaging.close(), 'flush');
  lifecycle.onShutdown('telemetry', () => shutdownTelemetry(), 'flush');
  lifecycle.install();

  logger.info(
    { port, ...(adminPort === undefined ? {} : { adminPort }), 'server.address': env.host, 'service.version': env.version },
    `${env.service} ready on http://${env.host}:${port}${adminPort === undefined ? '' : ` (health and metrics on http://${ADMIN_HOST}:${adminPort})`}`,
  );
  return runtime;
}
