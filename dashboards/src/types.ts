import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

/** One generated dashboard: the file it is written to under `grafana/`, and how to build it. */
export interface DashboardSource {
  /** File name under `dashboards/grafana/`, e.g. `overview.json`. */
  readonly file: string;
  readonly build: () => dashboard.Dashboard;
}
