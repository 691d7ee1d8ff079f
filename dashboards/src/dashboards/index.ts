import type { DashboardSource } from '../types.js';
import { breakers } from './breakers.js';
import { business } from './business.js';
import { controlLoop } from './control-loop.js';
import { logPipeline } from './log-pipeline.js';
import { overview } from './overview.js';
import { rabbitmq } from './rabbitmq.js';
import { serviceDetail } from './service-detail.js';

/**
 * Every generated dashboard. A new dashboard is one file in this folder and one line here; a
 * panel belongs in a dashboard only once the metric behind it is emitted (the live check in
 * tests/e2e/30-dashboards-live.test.ts fails on a query with no data; panels that need an incident
 * are listed in tests/e2e/71-dashboards-incident.test.ts).
 */
export const dashboards: readonly DashboardSource[] = [overview, serviceDetail, breakers, rabbitmq, logPipeline, business, controlLoop];
