import { Counter, Histogram } from 'prom-client';
import type { Metrics } from '@brewops/platform';

/**
 * Business metrics of the order service (names are part of the dashboards' contract):
 * - `brewops_orders_placed_total{pricing}`: `member`, `guest`, or the fallback flag
 * - `brewops_orders_completed_total`, `brewops_orders_cancelled_total{reason}`
 * - `brewops_compensations_total{reason, action}`: here `action="cancel_order"`
 * - `brewops_order_latency_seconds{outcome}`: placed → completed/cancelled
 */
export interface OrderMetrics {
  readonly placed: Counter<'pricing'>;
  readonly completed: Counter;
  readonly cancelled: Counter<'reason'>;
  readonly compensations: Counter<'reason' | 'action'>;
  readonly latency: Histogram<'outcome'>;
}

export function createOrderMetrics(metrics: Metrics): OrderMetrics {
  const registers = [metrics.registry];
  return {
    placed: new Counter({ name: 'brewops_orders_placed_total', help: 'Orders accepted, by pricing (member, guest, member_unknown, member_unavailable).', labelNames: ['pricing'] as const, registers }),
    completed: new Counter({ name: 'brewops_orders_completed_total', help: 'Orders completed (coffee ready).', registers }),
    cancelled: new Counter({ name: 'brewops_orders_cancelled_total', help: 'Orders cancelled by the saga, by reason.', labelNames: ['reason'] as const, registers }),
    compensations: new Counter({ name: 'brewops_compensations_total', help: 'Compensating actions performed, by reason and action.', labelNames: ['reason', 'action'] as const, registers }),
    latency: new Histogram({
      name: 'brewops_order_latency_seconds',
      help: 'Order end-to-end latency: placed until completed or cancelled.',
      labelNames: ['outcome'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
  };
}
