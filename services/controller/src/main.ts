import { getTracer, startService } from '@brewops/platform';
import { configShape } from './config.js';
import type { ControllerConfig } from './config.js';
import { Controller } from './controller.js';
import { createControllerMetrics } from './controller-metrics.js';
import { IncidentLog } from './incidents.js';
import { createActuator } from './actuators.js';
import { Leadership } from './leadership.js';
import { Recorder } from './recorder.js';
import { controllerRoutes } from './routes.js';

// Env CONTROLLER_DRY_RUN=true forces dry-run whatever the config says (it can only switch it on).
const forceDryRun = process.env['CONTROLLER_DRY_RUN'] === 'true';
// Env CONTROLLER_SUPERVISOR_URL: the local supervisor's admin API. @default http://127.0.0.1:9500
const supervisorUrl = process.env['CONTROLLER_SUPERVISOR_URL'] ?? 'http://127.0.0.1:9500';
// Env CONTROLLER_SUPERVISOR_TOKEN_FILE: its bearer token. @default .brewops/admin-token
const supervisorTokenFile = process.env['CONTROLLER_SUPERVISOR_TOKEN_FILE'] ?? '.brewops/admin-token';
// Env CONTROLLER_WEBHOOK_TOKEN_FILE: the token Alertmanager sends. @default .brewops/secrets/controller-webhook-token
const webhookTokenFile = process.env['CONTROLLER_WEBHOOK_TOKEN_FILE'] ?? '.brewops/secrets/controller-webhook-token';

let controller: Controller | undefined;
let leadership: Leadership | undefined;

startService({
  name: 'controller',
  defaultPort: 9600,
  config: configShape,
  routes: (router, rt) => {
    const config = (): ControllerConfig => {
      const c = rt.config.current as unknown as ControllerConfig;
      return forceDryRun && !c.dryRun ? { ...c, dryRun: true } : c;
    };
    const metrics = createControllerMetrics(rt.metrics.registry);
    const incidents = new IncidentLog(() => config().incidentHistory);
    // Replicas elect one leader in etcd; only it probes and acts (`brewops up --replicas controller=2`).
    const election = new Leadership({
      hosts: rt.env.etcdHosts,
      id: rt.env.instanceId,
      logger: rt.logger,
      onChange: (leader) => {
        if (leader) void c.becameLeader();
        else rt.logger.warn({}, 'controller: not the leader; standing by');
      },
    });
    leadership = election;
    const c: Controller = new Controller({
      leadership: election,
      discovery: rt.discovery,
      actuator: createActuator(process.env, rt.logger, { url: supervisorUrl, tokenFile: supervisorTokenFile }),
      config,
      self: rt.env.service,
      logger: rt.logger,
      metrics,
      recorder: (): Recorder => recorder,
    });
    const recorder: Recorder = new Recorder({
      tracer: getTracer('@brewops/controller'),
      logger: rt.logger,
      metrics,
      incidents,
      dryRun: () => config().dryRun,
      lastOkAt: (service: string, id: string): number | undefined => c.engine.lastOkAt(service, id),
    });
    controller = c;
    controllerRoutes(router, {
      incidents: () => incidents.list(),
      incident: (id) => incidents.get(id),
      instances: () => c.engine.snapshot(),
      dryRun: () => config().dryRun,
      leader: () => election.isLeader,
      alert: (a) => c.alert(a.service, a.instanceId, a.name, a.firing, a.startsAt),
    }, webhookTokenFile, metrics);
    rt.lifecycle.onShutdown('controller', async () => {
      await c.stop();
      await election.stop(); // resign: a standby replica takes over now, not after the lease TTL
    }, 'drain');
    rt.logger.info({ dryRun: config().dryRun }, 'controller: configured (actuator logged above)');
  },
  start: async () => {
    await controller!.start();
    leadership!.start();
  },
}).catch((err: unknown) => {
  console.error('controller failed to start:', err);
  process.exit(1);
});
