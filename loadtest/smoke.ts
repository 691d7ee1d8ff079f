/**
 * A few seconds of light traffic over every journey: does the stack answer, within its SLO?
 *   ./brewops load --script loadtest/smoke.ts
 */
import { defineScenario } from '@brewops/cli';

export default defineScenario({
  name: 'smoke',
  journeys: { browse: 2, order: 2, status: 1, sse: 1, member: 2 },
  rate: '10/s',
  duration: '5s',
  maxRequests: 500,
  thinkTime: '50ms',
  thresholds: ['p95<500ms', 'p99<1s', 'errors<1%'],
});
