/**
 * When journeys start. Open model (constant arrival rate): arrivals follow the clock whatever
 * the system under test does; an arrival that cannot start at once (too many in flight, request
 * budget spent) is counted as dropped, never queued. Closed model (fixed concurrency): N users
 * each run journeys back to back. Both ramp up linearly and both take a clock, so tests drive
 * them with a fake one.
 */

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/**
 * Arrivals expected by `elapsedMs` at `ratePerSecond`, ramping linearly from 0 over `rampUpMs`
 * (the integral of the rate). Pure.
 */
export function arrivalsBy(elapsedMs: number, ratePerSecond: number, rampUpMs: number): number {
  const t = Math.max(0, elapsedMs) / 1000;
  const r = rampUpMs / 1000;
  if (r <= 0) return ratePerSecond * t;
  if (t <= r) return (ratePerSecond * t * t) / (2 * r);
  return (ratePerSecond * r) / 2 + ratePerSecond * (t - r);
}

export interface OpenModelOptions {
  readonly clock: Clock;
  readonly ratePerSecond: number;
  readonly rampUpMs: number;
  readonly durationMs: number;
  /** How often the scheduler wakes up. @default 5 */
  readonly tickMs?: number;
  /** Ends the schedule early (request budget spent, Ctrl-C). */
  readonly signal: AbortSignal;
  /** Whether one more arrival may start now. */
  canStart(): boolean;
  /** Starts one arrival (do not await it here). `atMs`: since the schedule began. */
  start(atMs: number): void;
  drop(atMs: number): void;
}

/** Runs the arrival schedule until `durationMs` or the signal; returns arrivals started and dropped. */
export async function runOpenModel(o: OpenModelOptions): Promise<{ started: number; dropped: number }> {
  const t0 = o.clock.now();
  const tick = o.tickMs ?? 5;
  let due = 0;
  let started = 0;
  let dropped = 0;
  for (;;) {
    const elapsed = Math.min(o.clock.now() - t0, o.durationMs);
    const total = Math.floor(arrivalsBy(elapsed, o.ratePerSecond, o.rampUpMs) + 1e-9);
    while (due < total) {
      due++;
      if (o.signal.aborted) break;
      if (o.canStart()) {
        started++;
        o.start(elapsed);
      } else {
        dropped++;
        o.drop(elapsed);
      }
    }
    if (elapsed >= o.durationMs || o.signal.aborted) return { started, dropped };
    await o.clock.sleep(Math.min(tick, o.durationMs - elapsed), o.signal);
  }
}

export interface ClosedModelOptions {
  readonly clock: Clock;
  readonly users: number;
  readonly rampUpMs: number;
  /** Ends every user's loop (duration over, budget spent, Ctrl-C). */
  readonly signal: AbortSignal;
  /** One journey of user `user`; the loop awaits it, then starts the next. */
  iterate(user: number): Promise<void>;
}

/** Starts user k at k × rampUp / users and loops it until the signal; resolves when all stopped. */
export async function runClosedModel(o: ClosedModelOptions): Promise<{ iterations: number }> {
  let iterations = 0;
  const user = async (k: number): Promise<void> => {
    await o.clock.sleep((k * o.rampUpMs) / o.users, o.signal);
    while (!o.signal.aborted) {
      iterations++;
      await o.iterate(k);
    }
  };
  await Promise.all(Array.from({ length: o.users }, (_, k) => user(k)));
  return { iterations };
}
