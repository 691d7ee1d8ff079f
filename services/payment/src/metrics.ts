import { Counter } from 'prom-client';
import type { Metrics } from '@brewops/platform';

/**
 * - `brewops_payments_total{outcome}`: `charged`, `declined`
 * - `brewops_compensations_total{reason, action}`: here `action="refund"`
 */
export interface PaymentMetrics {
  readonly payments: Counter<'outcome'>;
  readonly compensations: Counter<'reason' | 'action'>;
}

export function createPaymentMetrics(metrics: Metrics): PaymentMetrics {
  const registers = [metrics.registry];
  return {
    payments: new Counter({ name: 'brewops_payments_total', help: 'Charges attempted, by outcome.', labelNames: ['outcome'] as const, registers }),
    compensations: new Counter({ name: 'brewops_compensations_total', help: 'Compensating actions performed, by reason and action.', labelNames: ['reason', 'action'] as const, registers }),
  };
}
