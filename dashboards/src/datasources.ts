import type * as common from '@grafana/grafana-foundation-sdk/common';

/**
 * Datasource references used by every panel. The UIDs are fixed so the generated JSON works with
 * the provisioned datasources in `grafana/provisioning/datasources/brewops.yml` (same UIDs).
 */
export const PROMETHEUS: common.DataSourceRef = { type: 'prometheus', uid: 'brewops-prometheus' };
export const ZIPKIN: common.DataSourceRef = { type: 'zipkin', uid: 'brewops-zipkin' };
export const LOGS: common.DataSourceRef = { type: 'elasticsearch', uid: 'brewops-logs' };

/** Kibana as the browser sees it (compose publishes it on 5601). */
export const KIBANA_URL = 'http://localhost:5601';

/**
 * A Kibana Discover URL for a KQL query over a data view (by ID: `logs-brewops` for
 * `logs-brewops-*`, `deadletter-brewops` for the dead-letter index); Grafana expands `${var}` in
 * it when the link is followed. The data view IDs must match the Kibana saved objects.
 */
export function kibanaDiscover(kql: string, dataView = 'logs-brewops'): string {
  const query = kql.replace(/'/g, "!'");
  return `${KIBANA_URL}/app/discover#/?_g=(time:(from:now-1h,to:now))&_a=(index:'${dataView}',query:(language:kuery,query:'${query}'))`;
}
