import { Counter, Gauge } from 'prom-client';
import type { MetricsRegistry } from '../metrics/metrics.js';
import { METRIC_CONFIG_REFUSED, METRIC_CONFIG_REVISION } from '../semconv.js';

/** Why a config change was refused: the value failed the schema, or the etcd value is no document. */
export type RefusalReason = 'invalid_config' | 'invalid_document';

export interface ConfigMetrics {
  setRevision(revision: number): void;
  refused(reason: RefusalReason): void;
}

export function createConfigMetrics(registry: MetricsRegistry): ConfigMetrics {
  const revision = new Gauge({
    name: METRIC_CONFIG_REVISION,
    help: 'etcd revision of the config this instance applies (0: schema defaults).',
    registers: [registry],
  });
  const refused = new Counter<'reason'>({
    name: METRIC_CONFIG_REFUSED,
    help: 'Config changes refused by this instance (the previous config stays), by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });
  refused.inc({ reason: 'invalid_config' }, 0);
  refused.inc({ reason: 'invalid_document' }, 0);
  return {
    setRevision: (r) => revision.set(r),
    refused: (reason) => refused.inc({ reason }),
  };
}
