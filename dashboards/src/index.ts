export { dashboards } from './dashboards/index.js';
export { renderDashboards } from './render.js';
export { DASHBOARDS_DIR, GRAFANA_DIR, REPO_ROOT } from './paths.js';
export { KIBANA_URL, LOGS, PROMETHEUS, ZIPKIN, kibanaDiscover } from './datasources.js';
export type { DashboardSource } from './types.js';
