import { Counter } from 'prom-client';
import type { FaultsConfig } from '../config/schema.js';
import type { MetricsRegistry } from '../metrics/metrics.js';
import { METRIC_FAULTS_INJECTED } from '../semconv.js';

/** The fault settings one instance runs with: the service's, with its own overrides on top. */
export interface EffectiveFaults {
  readonly errorRatio: number;
  readonly latencyMs: number;
  readonly hang: boolean;
  readonly crashAt: string | null;
  readonly memoryGrowthMbPerSec: number;
  readonly memoryCapMb: number;
  readonly cpuBurnRatio: number;
  readonly brokerDisconnect: boolean;
}

/** Values of `brewops_faults_injected_total{kind}`. */
export type FaultKind = 'error' | 'latency' | 'hang' | 'crash' | 'memory' | 'cpu' | 'broker_disconnect';

/** The service's settings with this instance's overrides on top. */
export function effectiveFaults(faults: FaultsConfig, instanceId: string): EffectiveFaults {
  const own = faults.instances[instanceId] ?? {};
  return {
    errorRatio: own.errorRatio ?? faults.errorRatio,
    latencyMs: own.latencyMs ?? faults.latencyMs,
    hang: own.hang ?? faults.hang,
    crashAt: own.crashAt !== undefined ? own.crashAt : faults.crashAt,
    memoryGrowthMbPerSec: own.memoryGrowthMbPerSec ?? faults.memoryGrowthMbPerSec,
    memoryCapMb: own.memoryCapMb ?? faults.memoryCapMb,
    cpuBurnRatio: own.cpuBurnRatio ?? faults.cpuBurnRatio,
    brokerDisconnect: own.brokerDisconnect ?? faults.brokerDisconnect,
  };
}

export interface FaultCounter {
  inc(kind: FaultKind): void;
}

/**
 * `brewops_faults_injected_total{kind}`, shared by the middleware (per request) and the fault
 * runner (per start of a process-level fault) on one registry.
 */
export function faultCounter(registry: MetricsRegistry | undefined): FaultCounter {
  if (!registry) return { inc: () => undefined };
  const existing = registry.getSingleMetric(METRIC_FAULTS_INJECTED) as Counter<'kind'> | undefined;
  const counter = existing ?? new Counter<'kind'>({
    name: METRIC_FAULTS_INJECTED,
    help: 'Injected faults by kind: requests given an error, latency or hang; starts of memory, cpu, broker_disconnect; crashes.',
    labelNames: ['kind'],
    registers: [registry],
  });
  return { inc: (kind) => counter.inc({ kind }) };
}
