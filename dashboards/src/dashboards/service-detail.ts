import { kibanaDiscover } from '../datasources.js';
import { brewopsDashboard, labelVariable, row, statPanel, timeseriesPanel } from '../panels.js';
import { errorRatio, HTTP, quantile, RATE, sumRate } from '../promql.js';
import type { DashboardSource } from '../types.js';

/** The instances chosen in the variables (every route, scrapes and health checks included). */
const SEL = 'service="$service", instance_id=~"$instance"';

export const serviceDetail: DashboardSource = {
  file: 'service-detail.json',
  build: () => brewopsDashboard('brewops-service', 'brewops / Service detail',
    'One service, one or all of its instances: RED by route and instance, runtime, log shipping.')
    .withVariable(labelVariable('service', 'service', `${HTTP}_count`, { title: 'Service' }))
    .withVariable(labelVariable('instance', 'instance_id', 'up{service="$service"}', { title: 'Instance', multi: true }))
    .withRow(row('Instances'))
    .withPanel(statPanel('Up', [{ expr: `up{${SEL}}`, legend: '{{instance_id}}' }], {
      unit: 'short', span: 8, baseColor: 'red', thresholds: [{ value: 1, color: 'green' }],
      description: '1 when the last scrape of the instance succeeded.',
    }))
    .withPanel(statPanel('Uptime', [{ expr: `time() - process_start_time_seconds{${SEL}}`, legend: '{{instance_id}}' }], {
      unit: 's', span: 8, description: 'Time since the instance process started; a drop is a restart.',
    }))
    .withPanel(statPanel('Version', [{ expr: `count by (version, zone) (up{${SEL}})`, legend: '{{version}} ({{zone}})' }], {
      unit: 'short', span: 8, description: 'Instances per version and zone (target labels from the registry).',
    }))
    .withRow(row('RED'))
    .withPanel(timeseriesPanel('Requests by route and status', [{
      expr: sumRate(`${HTTP}_count`, SEL, ['route', 'status_code']), legend: '{{route}} {{status_code}}',
    }], { unit: 'reqps', span: 12, description: 'Requests per second by route template and status code.' }))
    .withPanel(timeseriesPanel('Requests by instance', [{
      expr: sumRate(`${HTTP}_count`, SEL, ['instance_id']), legend: '{{instance_id}}',
    }], { unit: 'reqps', span: 12, description: 'How the load balancer spreads requests over the instances.' }))
    .withPanel(timeseriesPanel('Error ratio (5xx) by instance', [{ expr: errorRatio(SEL, ['instance_id']), legend: '{{instance_id}}' }], {
      unit: 'percentunit', span: 12, min: 0, description: 'Share of requests answered with a 5xx, per instance.',
      links: [{ title: 'Error logs of this service in Kibana', url: kibanaDiscover('service.name:"${service}" and log.level:error') }],
    }))
    .withPanel(timeseriesPanel('Latency by instance', [
      { expr: quantile(0.5, HTTP, SEL, ['instance_id']), legend: '{{instance_id}} p50' },
      { expr: quantile(0.99, HTTP, SEL, ['instance_id']), legend: '{{instance_id}} p99', exemplar: true },
    ], { unit: 's', span: 12, description: 'Median and 99th percentile request duration. Exemplars open the trace in Zipkin.' }))
    .withPanel(timeseriesPanel('Latency p99 by route', [{ expr: quantile(0.99, HTTP, SEL, ['route']), legend: '{{route}}', exemplar: true }], {
      unit: 's', span: 24, description: '99th percentile per route template.',
    }))
    .withRow(row('Runtime'))
    .withPanel(timeseriesPanel('CPU', [{ expr: `rate(process_cpu_seconds_total{${SEL}}[${RATE}])`, legend: '{{instance_id}}' }], {
      unit: 'percentunit', span: 8, description: 'CPU time per second (1 = one core).',
    }))
    .withPanel(timeseriesPanel('Memory', [
      { expr: `process_resident_memory_bytes{${SEL}}`, legend: '{{instance_id}} rss' },
      { expr: `nodejs_heap_size_used_bytes{${SEL}}`, legend: '{{instance_id}} heap used' },
    ], { unit: 'bytes', span: 8, description: 'Resident set size and V8 heap in use.' }))
    .withPanel(timeseriesPanel('Event-loop lag p99', [{ expr: `nodejs_eventloop_lag_p99_seconds{${SEL}}`, legend: '{{instance_id}}' }], {
      unit: 's', span: 8, description: 'How long ready callbacks wait: high values mean the process is CPU-bound or blocked.',
    }))
    .withRow(row('Logs'))
    .withPanel(timeseriesPanel('Log lines shipped / dropped', [
      { expr: `sum by (instance_id) (rate(brewops_log_lines_shipped_total{${SEL}}[${RATE}]))`, legend: '{{instance_id}} shipped' },
      { expr: `sum by (instance_id) (rate(brewops_log_lines_dropped_total{${SEL}}[${RATE}]))`, legend: '{{instance_id}} dropped' },
    ], {
      unit: 'short', span: 24, description: 'Log lines per second sent to the logs exchange, and lines dropped before shipping.',
      links: [{ title: 'Logs of this service in Kibana', url: kibanaDiscover('service.name:"${service}"') }],
    }))
    .build(),
};
