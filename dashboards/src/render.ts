import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboards } from './dashboards/index.js';

/** Panel IDs 1..n in layout order (rows included): stable across regenerations, so panel links keep working. */
function numberPanels(d: dashboard.Dashboard): dashboard.Dashboard {
  let id = 0;
  return { ...d, panels: (d.panels ?? []).map((p) => ({ ...p, id: ++id })) };
}

/** File name under `dashboards/grafana/` → its JSON text, exactly as committed. */
export function renderDashboards(): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of dashboards) {
    if (out.has(d.file)) throw new Error(`two dashboards write ${d.file}`);
    out.set(d.file, `${JSON.stringify(numberPanels(d.build()), null, 2)}\n`);
  }
  return out;
}
