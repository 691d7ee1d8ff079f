import { timingSafeEqual } from 'node:crypto';
import type Router from '@koa/router';
import { badRequest, notFound, requestBody, serviceUnavailable, unauthorized } from '@brewops/platform';
import { instanceAlerts, webhookSchema } from './alerts.js';
import type { InstanceAlert } from './alerts.js';
import type { InstanceSnapshot } from './engine.js';
import { isControllerError } from './errors.js';
import type { Incident } from './incidents.js';
import type { ControllerMetrics } from './controller-metrics.js';
import { readTokenFile } from './token-file.js';

export interface ControllerApi {
  incidents(): Incident[];
  incident(id: string): Incident | undefined;
  instances(): InstanceSnapshot[];
  dryRun(): boolean;
  /** Whether this replica is the elected one that acts. */
  leader(): boolean;
  /** Returns whether the instance is followed. */
  /** `stale`: the alert began before the instance's current registration (it was about the old process). */
  alert(a: InstanceAlert): 'accepted' | 'unknown' | 'stale';
}

function sameToken(given: string, want: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `GET /v1/incidents` (open first, then closed, newest first, each with its timeline and trace ID),
 * `GET /v1/incidents/:id`, and `POST /v1/alerts`, the Alertmanager webhook (bearer token from
 * `tokenFile`; 401 without it).
 */
export function controllerRoutes(router: Router, api: ControllerApi, tokenFile: string, metrics: ControllerMetrics): void {
  router.get('/v1/incidents', (ctx) => {
    ctx.set('cache-control', 'no-store');
    ctx.body = { dryRun: api.dryRun(), leader: api.leader(), instances: api.instances(), incidents: api.incidents() };
  });

  router.get('/v1/incidents/:id', (ctx) => {
    const inc = api.incident(ctx.params['id'] ?? '');
    if (!inc) throw notFound('incident_not_found', `no incident "${ctx.params['id']}"`);
    ctx.body = inc;
  });

  router.post('/v1/alerts', async (ctx) => {
    let want: string;
    try {
      want = await readTokenFile(tokenFile);
    } catch (err) {
      if (isControllerError(err)) throw serviceUnavailable('webhook_token_missing', 'the controller has no webhook token configured');
      throw err;
    }
    const m = /^Bearer (.+)$/.exec(ctx.get('authorization'));
    if (!m || !sameToken(m[1]!, want)) throw unauthorized('unauthorized', 'send Authorization: Bearer <controller webhook token>');
    const parsed = webhookSchema.safeParse(requestBody(ctx));
    if (!parsed.success) throw badRequest('invalid_webhook', 'body is not an Alertmanager webhook', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    const { alerts, ignored } = instanceAlerts(parsed.data);
    let accepted = 0;
    let unknown = 0;
    let stale = 0;
    for (const a of alerts) {
      const r = api.alert(a);
      if (r === 'accepted') {
        accepted++;
        metrics.alerts.inc({ status: a.firing ? 'firing' : 'resolved' });
      } else if (r === 'stale') stale++;
      else unknown++;
    }
    metrics.alerts.inc({ status: 'ignored' }, ignored + unknown);
    if (stale > 0) metrics.alerts.inc({ status: 'stale' }, stale);
    ctx.body = { accepted, ignored, unknownInstances: unknown, stale };
  });
}
