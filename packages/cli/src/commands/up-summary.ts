import type { Paths } from '../paths.js';
import type { PortConfig } from '../ports.js';
import { seconds } from '../progress.js';
import type { BrewopsState } from '../state.js';
import type { InstancesResponse } from '../supervisor/types.js';

/** The backend endpoints every instance gets in its environment. */
export function instanceEnv(state: BrewopsState, ports: PortConfig, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const zipkin = state.backends['zipkin']?.url ?? `http://127.0.0.1:${ports.zipkin}`;
  return {
    AMQP_URL: state.backends['rabbitmq']?.url ?? `amqp://guest:guest@127.0.0.1:${ports.rabbitmqAmqp}`,
    ETCD_HOSTS: state.backends['etcd']?.url ?? `http://127.0.0.1:${ports.etcdClient}`,
    ZIPKIN_URL: `${zipkin}/api/v2/spans`,
    OPENSEARCH_URL: state.backends['opensearch']?.url ?? `http://127.0.0.1:${ports.opensearch}`,
    // the controller's Prometheus signal (services/controller/src/prometheus-signal.ts)
    PROMETHEUS_URL: state.backends['prometheus']?.url ?? `http://127.0.0.1:${ports.prometheus}`,
    LOG_LEVEL: env['LOG_LEVEL'] ?? 'info',
  };
}

/** The URL table `up` ends with, on stdout. */
export function printSummary(
  state: BrewopsState,
  ports: PortConfig,
  paths: Paths,
  instances: InstancesResponse,
  elapsedMs: number,
  out: NodeJS.WritableStream = process.stdout,
): void {
  const rows: Array<[string, string, string]> = [
    ['gateway', state.gatewayUrl, instances.instances.some((i) => i.service === 'gateway') ? 'send x-api-key: $(cat .brewops/secrets/dev-api-key)' : '(not running: skipped)'],
    ['zipkin', `http://127.0.0.1:${ports.zipkin}/zipkin/`, 'traces'],
    ['opensearch', `http://127.0.0.1:${ports.opensearch}`, 'logs (logs-brewops-*)'],
    ['prometheus', `http://127.0.0.1:${ports.prometheus}`, 'metrics, alert rules'],
    ['alertmanager', `http://127.0.0.1:${ports.alertmanager}`, ''],
    ['rabbitmq', `http://127.0.0.1:${ports.rabbitmqManagement}`, `management (guest/guest); amqp on ${ports.rabbitmqAmqp}`],
    ['etcd', `http://127.0.0.1:${ports.etcdClient}`, 'registry, config'],
    ['supervisor', state.supervisor?.url ?? '', `admin API; token in ${state.supervisor?.tokenFile ?? paths.tokenFile}`],
  ];
  const ready = instances.instances.filter((i) => i.state === 'ready').map((i) => i.id);
  let text = `\nbrewops is up in ${seconds(elapsedMs)}\n\n`;
  const width = Math.max(...rows.map((r) => r[1].length));
  for (const [name, url, note] of rows) text += `  ${name.padEnd(13)} ${url.padEnd(width)}  ${note}`.trimEnd() + '\n';
  text += `\n  instances ready: ${ready.length > 0 ? ready.join(', ') : 'none'}\n`;
  if (instances.skipped.length > 0) text += `  skipped (not built yet): ${instances.skipped.map((s) => s.service).join(', ')}\n`;
  text += '\n  next: brewops status · brewops logs <name> [-f] · brewops down\n';
  out.write(text);
}
