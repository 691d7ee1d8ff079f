import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { LoadConfig } from './config.js';
import type { SecondFigures } from './console.js';
import { EventLog, type ChaosEvent, type MarkOptions } from './events.js';
import { classifyFailure, undiciTransport, type HttpCall, type Transport } from './http.js';
import { JOURNEYS, pickJourney, type JourneyContext } from './journeys.js';
import { Recorder } from './recorder.js';
import { buildResult, type LoadResult } from './result.js';
import { realClock, runClosedModel, runOpenModel, type Clock } from './scheduler.js';
import type { JourneyName } from './types.js';

export interface LoadRunOptions {
  readonly config: LoadConfig;
  /** Sent as `x-api-key`; never written to the result. */
  readonly apiKey: string | null;
  /** @default an undici Pool to `config.target` */
  readonly transport?: Transport;
  /** @default the real clock */
  readonly clock?: Clock;
  /** Called once a second with the second just finished. */
  readonly onSecond?: (f: SecondFigures) => void;
  /** Stops the run early (Ctrl-C); what ran so far is reported. */
  readonly signal?: AbortSignal;
  /** How long requests still running at the end may take before they are cancelled. @default requestTimeoutMs, at most 5 s */
  readonly drainMs?: number;
}

export interface LoadRun {
  /** Marks a chaos event on the timeline now (or at `opts.at`). */
  markEvent(label: string, opts?: MarkOptions): ChaosEvent;
  /** Lines of the `--events` file that were skipped, with why. */
  rejectedEvents(): readonly string[];
  readonly done: Promise<LoadResult>;
}

/** Starts a run; `done` resolves with the result once it stopped (duration, request budget or signal). */
export function startLoad(opts: LoadRunOptions): LoadRun {
  const startedAtEpochMs = Date.now();
  const events = new EventLog(startedAtEpochMs);
  const done = run(opts, events, startedAtEpochMs);
  return { markEvent: (label, o) => events.mark(label, o), rejectedEvents: () => events.rejected(), done };
}

async function run(opts: LoadRunOptions, events: EventLog, startedAtEpochMs: number): Promise<LoadResult> {
  const cfg = opts.config;
  const clock = opts.clock ?? realClock;
  const connections = cfg.model === 'rate' ? cfg.maxInFlight : cfg.concurrency!;
  const transport = opts.transport ?? undiciTransport(cfg.target, Math.min(connections, 256));
  const rec = new Recorder();
  const stopping = new AbortController(); // no new journeys or steps
  const cancel = new AbortController(); // requests still running after the drain
  const eventsDone = new AbortController();
  // every sleeping journey and every request listens on these two
  setMaxListeners(0, stopping.signal);
  setMaxListeners(0, cancel.signal);
  const following = cfg.eventsFile ? events.follow(cfg.eventsFile, eventsDone.signal) : Promise.resolve();
  let stoppedBy: LoadResult['stoppedBy'] = 'duration';
  const onInterrupt = (): void => { stoppedBy = 'interrupted'; stopping.abort(); };
  if (opts.signal?.aborted) onInterrupt();
  opts.signal?.addEventListener('abort', onInterrupt, { once: true });

  const t0 = clock.now();
  const since = (): number => clock.now() - t0;
  const runId = randomBytes(4).toString('hex');
  const weights = Object.entries(cfg.journeys) as Array<[JourneyName, number]>;
  const auth: Record<string, string> = opts.apiKey ? { 'x-api-key': opts.apiKey } : {};
  let issued = 0;
  let inFlight = 0;
  let aborted = 0;
  let seq = 0;
  const running = new Set<Promise<void>>();

  const take = (): boolean => {
    if (stopping.signal.aborted || issued >= cfg.maxRequests) return false;
    issued++;
    if (issued >= cfg.maxRequests) {
      if (stoppedBy === 'duration') stoppedBy = 'max-requests';
      stopping.abort();
    }
    return true;
  };

  const runJourney = async (name: JourneyName): Promise<void> => {
    inFlight++;
    rec.journeyStarted(name, since());
    let failed = false;
    const correlationId = `load-${runId}-${++seq}`;
    const headers = (call: HttpCall): HttpCall => ({ ...call, headers: { ...auth, 'x-correlation-id': correlationId, ...call.headers } });
    const fail = (step: string, startedAt: number, latencyMs: number | null, error: string, streamMs?: number): void => {
      failed = true;
      rec.request({ journey: name, step, startedAt, latencyMs, endedAt: since(), outcome: { ok: false, error }, ...(streamMs !== undefined ? { streamMs } : {}) });
    };
    const ctx: JourneyContext = {
      correlationId,
      random: Math.random,
      think: async (minMs = 0) => {
        if (stopping.signal.aborted) return false;
        const ms = Math.max(minMs, cfg.thinkTimeMs);
        if (ms > 0) await clock.sleep(ms, stopping.signal);
        return !stopping.signal.aborted;
      },
      request: async (step, call, expect) => {
        if (!take()) return null;
        const startedAt = since();
        try {
          const r = await transport.send(headers(call), cfg.requestTimeoutMs, cancel.signal);
          if (!expect.includes(r.status)) {
            fail(step, startedAt, r.latencyMs, `status_${r.status}`);
            return null;
          }
          rec.request({ journey: name, step, startedAt, latencyMs: r.latencyMs, endedAt: since(), outcome: { ok: true } });
          return r;
        } catch (err) {
          const kind = classifyFailure(err);
          if (kind === 'aborted') aborted++;
          else fail(step, startedAt, null, kind);
          return null;
        }
      },
      follow: async (step, call, until) => {
        if (!take()) return false;
        const startedAt = since();
        try {
          const r = await transport.stream(headers(call), cfg.sseTimeoutMs, cancel.signal, until);
          if (r.status !== 200) fail(step, startedAt, r.latencyMs, `status_${r.status}`);
          else if (r.finished === 'timeout') fail(step, startedAt, r.latencyMs, 'timeout', r.totalMs);
          else if (r.finished === 'closed') fail(step, startedAt, r.latencyMs, 'connection', r.totalMs);
          else {
            rec.request({ journey: name, step, startedAt, latencyMs: r.latencyMs, endedAt: since(), outcome: { ok: true }, streamMs: r.totalMs });
            return true;
          }
          return false;
        } catch (err) {
          const kind = classifyFailure(err);
          if (kind === 'aborted') aborted++;
          else fail(step, startedAt, null, kind);
          return false;
        }
      },
    };
    try {
      await JOURNEYS[name](ctx);
    } catch (err) {
      fail('journey', since(), null, 'other');
      void err;
    } finally {
      inFlight--;
      rec.journeyEnded(name, failed);
    }
  };

  const launch = (): Promise<void> => {
    const p = runJourney(pickJourney(weights, Math.random()));
    running.add(p);
    void p.finally(() => running.delete(p));
    return p;
  };

  // progress: once a second, the second just finished
  let shown = 0;
  const ticker = setInterval(() => {
    const s = rec.second(shown);
    shown++;
    opts.onSecond?.({ elapsedSec: shown, ...s, inFlight, totalRequests: rec.requests, totalErrors: rec.errors });
  }, 1000);

  try {
    if (cfg.model === 'rate') {
      await runOpenModel({
        clock,
        ratePerSecond: cfg.ratePerSecond!,
        rampUpMs: cfg.rampUpMs,
        durationMs: cfg.durationMs,
        signal: stopping.signal,
        canStart: () => inFlight < cfg.maxInFlight,
        start: () => void launch(),
        drop: (at) => rec.arrivalDropped(at),
      });
    } else {
      const timer = clock.sleep(cfg.durationMs, stopping.signal).then(() => stopping.abort());
      await runClosedModel({
        clock,
        users: cfg.concurrency!,
        rampUpMs: cfg.rampUpMs,
        signal: stopping.signal,
        iterate: async () => {
          await launch();
          if (cfg.thinkTimeMs > 0 && !stopping.signal.aborted) await clock.sleep(cfg.thinkTimeMs, stopping.signal);
        },
      });
      await timer;
    }
    stopping.abort();
    // drain: running requests may finish, within a bound
    const drainMs = opts.drainMs ?? Math.min(cfg.requestTimeoutMs, 5_000);
    const drained = new AbortController();
    await Promise.race([Promise.allSettled([...running]), clock.sleep(drainMs, drained.signal)]);
    drained.abort();
    cancel.abort();
    await Promise.allSettled([...running]);
  } finally {
    clearInterval(ticker);
    opts.signal?.removeEventListener('abort', onInterrupt);
    eventsDone.abort();
    await following;
    if (!opts.transport) await transport.close();
  }
  return buildResult(rec, {
    config: cfg,
    startedAtEpochMs,
    elapsedMs: since(),
    stoppedBy,
    abortedAtEnd: aborted,
    events: events.list(),
  });
}
