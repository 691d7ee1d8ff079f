import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FaultsConfig } from '../config/schema.js';
import type { MetricsRegistry } from '../metrics/metrics.js';
import type { LoggerLike } from '../util/logger-like.js';
import { effectiveFaults, faultCounter } from './effective.js';
import type { EffectiveFaults, FaultCounter } from './effective.js';

let gcFn: (() => void) | undefined;

/**
 * One full garbage collection, so that memory the memory-growth fault let go really leaves the
 * process now, as it would with a restart. Without it, V8 frees the buffers' backing stores at
 * its next major GC, which an idle instance may not run for minutes: its resident memory stayed
 * high, and the next growth fault in the same process refilled the freed pages instead of
 * growing (seen in CI: +64 MB asked, <40 MB seen). `gc` is taken from V8 once (as `--expose-gc`
 * would give it) and the flag is turned off again.
 */
function fullGc(): void {
  try {
    if (gcFn === undefined) {
      const exposed = (globalThis as { gc?: () => void }).gc;
      if (exposed) gcFn = exposed;
      else {
        setFlagsFromString('--expose-gc');
        gcFn = runInNewContext('gc') as () => void;
        setFlagsFromString('--no-expose-gc');
      }
    }
    gcFn();
  } catch {
    // no gc to be had: the memory goes at V8's next major GC
  }
}

/** What the runner needs of the AMQP connection (the platform's Messaging has both). */
export interface BrokerControl {
  /** Closes the connection and keeps it down until `resumeConnection`. */
  dropConnection(): void;
  resumeConnection(): void;
}

export interface FaultRunnerOptions {
  /** The current fault settings (a live config); read on every `apply()`. */
  readonly faults: () => FaultsConfig;
  readonly instanceId: string;
  readonly logger: LoggerLike;
  readonly registry?: MetricsRegistry;
  /** The connection `brokerDisconnect` drops. @default none (the flag is ignored) */
  readonly broker?: BrokerControl;
  /** When this process started, epoch ms: a `crashAt` stamp after it crashes this process. @default performance.timeOrigin */
  readonly startedAt?: number;
  /** How the process dies. @default process.kill(process.pid, 'SIGKILL') */
  readonly crash?: () => void;
  /** Granularity of memory growth and CPU burn, ms. @default 100 */
  readonly sliceMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

const MB = 1024 * 1024;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The process-level faults: crash (once per stamp), memory growth up to a cap, CPU burn on the
 * event loop, broker disconnect. Call `apply()` whenever the config changes (startService does,
 * on every LiveConfig change); each fault starts and stops live, logs both and counts its start
 * in `brewops_faults_injected_total{kind}`. Nothing runs (no timer) while no fault is set.
 */
export class FaultRunner {
  private readonly counter: FaultCounter;
  private readonly sliceMs: number;
  private readonly now: () => number;
  private readonly startedAt: number;
  private crashTimer: NodeJS.Timeout | undefined;
  private crashStamp: string | null = null;
  private memoryTimer: NodeJS.Timeout | undefined;
  private retained: Buffer[] = [];
  private retainedBytes = 0;
  private cpuTimer: NodeJS.Timeout | undefined;
  private cpuRatio = 0;
  private brokerDown = false;
  private closed = false;

  constructor(private readonly opts: FaultRunnerOptions) {
    this.counter = faultCounter(opts.registry);
    this.sliceMs = opts.sliceMs ?? 100;
    this.now = opts.now ?? Date.now;
    this.startedAt = opts.startedAt ?? performance.timeOrigin;
  }

  /** Memory the memory-growth fault holds now, MB. */
  get retainedMb(): number {
    return this.retainedBytes / MB;
  }

  /** Whether the CPU burn runs. */
  get burning(): boolean {
    return this.cpuTimer !== undefined;
  }

  /** Starts and stops faults so that they match the current config. */
  apply(): void {
    if (this.closed) return;
    const f = effectiveFaults(this.opts.faults(), this.opts.instanceId);
    this.applyCrash(f);
    this.applyMemory(f);
    this.applyCpu(f);
    this.applyBroker(f);
  }

  /** Stops every fault (shutdown). */
  close(): void {
    this.closed = true;
    this.applyCrash(null);
    this.applyMemory(null);
    this.applyCpu(null);
    this.applyBroker(null);
  }

  private applyCrash(f: EffectiveFaults | null): void {
    const stamp = f?.crashAt ?? null;
    if (stamp === this.crashStamp) return;
    clearTimeout(this.crashTimer);
    this.crashTimer = undefined;
    this.crashStamp = stamp;
    if (stamp === null) return;
    const at = Date.parse(stamp);
    if (!(at > this.startedAt)) {
      this.opts.logger.info({ fault: 'crash', crashAt: stamp }, 'fault: crash stamp predates this process; not crashing again');
      return;
    }
    const fire = (): void => {
      const wait = at - this.now();
      if (wait > 0) { // far-away stamps are reached in steps (setTimeout holds at most ~24 days)
        this.crashTimer = setTimeout(fire, Math.min(wait, MAX_TIMER_MS));
        return;
      }
      this.crashTimer = undefined;
      this.counter.inc('crash');
      this.opts.logger.error({ fault: 'crash', crashAt: stamp }, 'fault started: crash (SIGKILL to this process)');
      (this.opts.crash ?? (() => process.kill(process.pid, 'SIGKILL')))();
    };
    if (at > this.now()) this.opts.logger.warn({ fault: 'crash', crashAt: stamp, inMs: at - this.now() }, 'fault: crash scheduled');
    fire();
  }

  private applyMemory(f: EffectiveFaults | null): void {
    const rate = f?.memoryGrowthMbPerSec ?? 0;
    if (rate > 0 && this.memoryTimer === undefined) {
      this.counter.inc('memory');
      this.opts.logger.warn({ fault: 'memory', mbPerSec: rate, capMb: f?.memoryCapMb }, 'fault started: memory growth');
      this.memoryTimer = setInterval(() => this.grow(), this.sliceMs);
    } else if (rate === 0 && this.memoryTimer !== undefined) {
      clearInterval(this.memoryTimer);
      this.memoryTimer = undefined;
      const mb = Math.round(this.retainedMb);
      this.retained = [];
      this.retainedBytes = 0;
      fullGc();
      this.opts.logger.info({ fault: 'memory', releasedMb: mb }, 'fault stopped: memory growth; memory released');
    }
  }

  private grow(): void {
    const f = effectiveFaults(this.opts.faults(), this.opts.instanceId);
    const cap = f.memoryCapMb * MB;
    const step = Math.min(Math.round(f.memoryGrowthMbPerSec * MB * (this.sliceMs / 1000)), cap - this.retainedBytes);
    if (step <= 0) return;
    // allocUnsafeSlow + fill: the pages are written, so the process's resident memory really grows
    this.retained.push(Buffer.allocUnsafeSlow(step).fill(0x5a));
    this.retainedBytes += step;
  }

  private applyCpu(f: EffectiveFaults | null): void {
    const ratio = f?.cpuBurnRatio ?? 0;
    this.cpuRatio = ratio;
    if (ratio > 0 && this.cpuTimer === undefined) {
      this.counter.inc('cpu');
      this.opts.logger.warn({ fault: 'cpu', ratio }, 'fault started: CPU burn on the event loop');
      this.cpuTimer = setInterval(() => {
        const until = performance.now() + this.cpuRatio * this.sliceMs;
        while (performance.now() < until) { /* busy on purpose */ }
      }, this.sliceMs);
    } else if (ratio === 0 && this.cpuTimer !== undefined) {
      clearInterval(this.cpuTimer);
      this.cpuTimer = undefined;
      this.opts.logger.info({ fault: 'cpu' }, 'fault stopped: CPU burn');
    }
  }

  private applyBroker(f: EffectiveFaults | null): void {
    const want = (f?.brokerDisconnect ?? false) && this.opts.broker !== undefined;
    if (want === this.brokerDown) return;
    this.brokerDown = want;
    if (want) {
      this.counter.inc('broker_disconnect');
      this.opts.logger.warn({ fault: 'broker_disconnect' }, 'fault started: broker connection dropped and held down');
      this.opts.broker?.dropConnection();
    } else {
      this.opts.logger.info({ fault: 'broker_disconnect' }, 'fault stopped: broker connection allowed again');
      this.opts.broker?.resumeConnection();
    }
  }
}
