import { Counter, Histogram } from 'prom-client';
import type { Metrics } from '@brewops/platform';

/**
 * - `brewops_brews_total{outcome}`: `ready`, `rejected`
 * - `brewops_brew_duration_seconds`: time to brew one order (simulated time + stock transaction)
 */
export interface BaristaMetrics {
  readonly brews: Counter<'outcome'>;
  readonly brewTime: Histogram;
}

export function createBaristaMetrics(metrics: Metrics): BaristaMetrics {
  const registers = [metrics.registry];
  return {
    brews: new Counter({ name: 'brewops_brews_total', help: 'Orders brewed or rejected, by outcome.', labelNames: ['outcome'] as const, registers }),
    brewTime: new Histogram({
      name: 'brewops_brew_duration_seconds',
      help: 'Time to brew one order.',
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10],
      registers,
    }),
  };
}
