import { z } from '@brewops/platform';

/** The parts of an Alertmanager webhook (version 4) the controller reads. */
const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.string(), z.string()),
  fingerprint: z.string().optional(),
  /** When the alert began (RFC 3339); an alert older than the instance's registration is stale. */
  startsAt: z.string().optional(),
});

export const webhookSchema = z.object({
  version: z.string().optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  alerts: z.array(alertSchema).max(1000),
});

export type Webhook = z.output<typeof webhookSchema>;

/** One alert about one instance: `labels.service` and `labels.instance_id` name it. */
export interface InstanceAlert {
  readonly service: string;
  readonly instanceId: string;
  readonly name: string;
  readonly firing: boolean;
  /** Epoch ms the alert began, when Alertmanager says (it always does). */
  readonly startsAt?: number;
}

/** Alerts that name an instance; the rest (about queues, backends, ...) are not the controller's. */
export function instanceAlerts(hook: Webhook): { alerts: InstanceAlert[]; ignored: number } {
  const alerts: InstanceAlert[] = [];
  let ignored = 0;
  for (const a of hook.alerts) {
    const service = a.labels['service'];
    const instanceId = a.labels['instance_id'];
    const name = a.labels['alertname'] ?? 'unnamed';
    if (!service || !instanceId) ignored++;
    else {
      const startsAt = a.startsAt ? Date.parse(a.startsAt) : Number.NaN;
      alerts.push({ service, instanceId, name, firing: a.status === 'firing', ...(Number.isFinite(startsAt) ? { startsAt } : {}) });
    }
  }
  return { alerts, ignored };
}
