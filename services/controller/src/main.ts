import { getTracer, startService } from '@brewops/platform';
import { configShape } from './config.js';
import type { ControllerConfig } from './config.js';
import { Controller } from './controller.js';
import { createControllerMetrics } from './controller-metrics.js';
import { IncidentLog } from './incidents.js';
import { LocalSupervisorActuator } from './local-supervisor-actuator.js';
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
    const c: Controller = new Controller({
      discovery: rt.discovery,
      actuator: new LocalSupervisorActuator({ url: supervisorUrl, tokenFile: supervisorTokenFile }),
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
      alert: (a) => c.alert(a.service, a.instanceId, a.name, a.firing),
    }, webhookTokenFile, metrics);
    rt.lifecycle.onShutdown('controller', () => c.stop(), 'drain');
    rt.logger.info({ dryRun: config().dryRun, supervisorUrl }, 'controller: acting through the local supervisor');
  },
  start: async () => {
    await controller!.start();
  },
}).catch((err: unknown) => {
  console.error('controller failed to start:', err);
  process.exit(1);
});
