// `npm run dashboards`: writes dashboards/grafana/*.json from the TypeScript sources and removes
// JSON files no source produces any more.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GRAFANA_DIR } from './paths.js';
import { renderDashboards } from './render.js';

const files = renderDashboards();
for (const [name, json] of files) {
  writeFileSync(join(GRAFANA_DIR, name), json);
  console.log(`wrote dashboards/grafana/${name}`);
}
for (const name of readdirSync(GRAFANA_DIR)) {
  if (name.endsWith('.json') && !files.has(name)) {
    rmSync(join(GRAFANA_DIR, name));
    console.log(`removed dashboards/grafana/${name} (no source)`);
  }
}
