import { resolve } from 'node:path';

/** `dashboards/` (this file is compiled to dashboards/dist/src/paths.js). */
export const DASHBOARDS_DIR = resolve(__dirname, '..', '..');
/** Generated dashboard JSON, committed; Grafana's file provider reads it. */
export const GRAFANA_DIR = resolve(DASHBOARDS_DIR, 'grafana');
/** Repository root. */
export const REPO_ROOT = resolve(DASHBOARDS_DIR, '..');
