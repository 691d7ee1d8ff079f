/**
 * The public, typed surface for load scenarios: `loadtest/*.ts` files export
 * `defineScenario({...})` and `brewops load --script <file>` runs them.
 */

/** The built-in user journeys, each a few requests through the gateway. */
export const JOURNEY_NAMES = ['browse', 'order', 'status', 'sse', 'member'] as const;
export type JourneyName = (typeof JOURNEY_NAMES)[number];

/** Relative weights: `{ browse: 5, order: 3 }` starts browse 5 times for every 3 orders. */
export type JourneyWeights = Partial<Record<JourneyName, number>>;

/** A duration: a string with a unit (`'500ms'`, `'5s'`, `'1m'`) or a number of milliseconds. */
export type DurationInput = string | number;

/**
 * A load scenario. Every field is optional; a CLI flag given next to `--script` wins over the
 * script's value, and anything left unset takes the `brewops load` default.
 */
export interface Scenario {
  /** Shown in the report. @default the script's file name */
  readonly name?: string;
  /** @default { browse: 5, order: 3, status: 2, sse: 1, member: 1 } */
  readonly journeys?: JourneyWeights;
  /** Open model: journeys started per second (`20` or `'20/s'`, `'600/m'`). Exclusive with `concurrency`. @default 20/s */
  readonly rate?: number | string;
  /** Closed model: virtual users, each running journeys back to back. Exclusive with `rate`. */
  readonly concurrency?: number;
  /** Open model: arrivals allowed in flight at once; an arrival beyond it is dropped. @default 200 */
  readonly maxInFlight?: number;
  /** Linear ramp from 0 to the full rate (or user count). @default 0 */
  readonly rampUp?: DurationInput;
  /** How long new journeys start. @default '20s' */
  readonly duration?: DurationInput;
  /** At most this many HTTP requests in the whole run. @default 20000 */
  readonly maxRequests?: number;
  /** Pause between the steps of a journey (and between a user's journeys). @default '100ms' */
  readonly thinkTime?: DurationInput;
  /** Per-request timeout (to response headers). @default '5s' */
  readonly requestTimeout?: DurationInput;
  /** How long the sse journey follows an order's stream to a terminal status. @default '15s' */
  readonly sseTimeout?: DurationInput;
  /** `'p95<300ms,p99<800ms,errors<1%'` or the same as an array. @default 'errors<1%' */
  readonly thresholds?: string | readonly string[];
  /** Gateway base URL. @default the gateway of `brewops up` (http://127.0.0.1:8080) */
  readonly target?: string;
}

/** Typed identity: gives a script's scenario object its type and editor completion. */
export function defineScenario(scenario: Scenario): Scenario {
  return scenario;
}
