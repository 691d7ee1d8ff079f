/**
 * The 8 a.m. rush: mostly menus and orders, customers watching their order's status, arrivals
 * ramping up over 10 s to 20 journeys a second, about 40 requests a second (the gateway allows
 * the dev API key 50 requests/s, burst 100: beyond that it answers 429).
 *   ./brewops load --script loadtest/morning-rush.ts
 *   ./brewops load --script loadtest/morning-rush.ts --duration 60s --events .brewops/chaos-events.jsonl
 */
import { defineScenario } from '@brewops/cli';

export default defineScenario({
  name: 'morning-rush',
  journeys: { browse: 4, order: 4, status: 2, sse: 1, member: 1 },
  rate: '20/s',
  rampUp: '10s',
  duration: '30s',
  maxRequests: 20_000,
  thinkTime: '200ms',
  sseTimeout: '15s',
  thresholds: 'p95<300ms,p99<800ms,errors<1%,dropped<1%',
});
