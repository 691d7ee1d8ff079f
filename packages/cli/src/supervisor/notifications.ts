/** One alert as Alertmanager's webhook sends it (the fields brewops shows). */
export interface NotifiedAlert {
  readonly receivedAt: string;
  readonly status: string;
  readonly alertname: string;
  readonly severity: string | undefined;
  readonly labels: Record<string, string>;
  readonly startsAt: string | undefined;
}

const KEEP = 200;

/**
 * The notification receiver of alert-rules/alertmanager.yml (every alert goes here): keeps the
 * last alerts for `GET /v1/notifications` and logs each one, so a user sees alerts arrive
 * without a mail or chat integration.
 */
export class NotificationInbox {
  private readonly alerts: NotifiedAlert[] = [];

  constructor(private readonly log: (line: string) => void) {}

  /** Accepts an Alertmanager webhook payload (version 4); returns how many alerts it held. */
  receive(body: unknown): number {
    const alerts = (body as { alerts?: unknown } | null)?.alerts;
    if (!Array.isArray(alerts)) throw new TypeError('not an Alertmanager webhook payload: no "alerts" array');
    const now = new Date().toISOString();
    for (const a of alerts as Array<{ status?: unknown; labels?: Record<string, string>; startsAt?: unknown }>) {
      const labels = typeof a.labels === 'object' && a.labels !== null ? a.labels : {};
      const alert: NotifiedAlert = {
        receivedAt: now,
        status: typeof a.status === 'string' ? a.status : 'unknown',
        alertname: labels['alertname'] ?? 'unknown',
        severity: labels['severity'],
        labels,
        startsAt: typeof a.startsAt === 'string' ? a.startsAt : undefined,
      };
      this.alerts.push(alert);
      this.log(`alert ${alert.status}: ${alert.alertname} ${JSON.stringify(labels)}`);
    }
    if (this.alerts.length > KEEP) this.alerts.splice(0, this.alerts.length - KEEP);
    return alerts.length;
  }

  list(): readonly NotifiedAlert[] {
    return this.alerts;
  }
}
