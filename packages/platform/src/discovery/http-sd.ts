import type { InstanceInfo } from './types.js';

/** One target group in Prometheus' http_sd format. */
export interface HttpSdTargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/**
 * Renders registered instances in Prometheus' `http_sd_configs` format, one group per instance,
 * so restarts and scale-outs are scraped with no edit to prometheus.yml. Labels become target
 * labels: `service`, `instance_id`, `zone`, `version` (and `job` = service).
 */
export function toHttpSd(instances: readonly InstanceInfo[]): HttpSdTargetGroup[] {
  return [...instances]
    .sort((a, b) => (a.service + a.instanceId).localeCompare(b.service + b.instanceId))
    .map((i) => ({
      targets: [`${i.host}:${i.port}`],
      labels: {
        job: i.service,
        service: i.service,
        instance_id: i.instanceId,
        zone: i.zone,
        version: i.version,
        __metrics_path__: '/metrics',
      },
    }));
}
