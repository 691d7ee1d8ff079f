import type { Server } from 'node:http';
import type { Logger } from '../log/logger.js';
import type { Readiness } from './health.js';
import { closeServer } from './server.js';

/** Shutdown runs its hooks phase by phase, in this order; within a phase, in registration order. */
export type ShutdownPhase = 'intake' | 'drain' | 'deregister' | 'flush';
export const SHUTDOWN_PHASES: readonly ShutdownPhase[] = ['intake', 'drain', 'deregister', 'flush'];

export interface LifecycleOptions {
  logger: Logger;
  /** Hard limit for the whole shutdown; past it the process exits with 1. @default 10000 */
  timeoutMs?: number;
  /** How the process ends (tests pass a stub). @default process.exit */
  exit?: (code: number) => void;
}

interface Hook {
  name: string;
  fn: () => Promise<void>;
  phase: ShutdownPhase;
}

/**
 * Graceful shutdown on SIGTERM/SIGINT: stop intake (readiness 503, the server stops accepting
 * and lets in-flight requests finish), drain consumers, deregister from discovery, flush logs
 * then telemetry, exit 0. A failing hook is logged and the sequence goes on; past the hard
 * timeout, or on a second signal, the process exits with 1 at once.
 */
export class Lifecycle {
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly exit: (code: number) => void;
  private readonly hooks: Hook[] = [];
  private running: Promise<void> | undefined;
  private installed = false;

  constructor(options: LifecycleOptions) {
    this.logger = options.logger;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.exit = options.exit ?? ((code) => process.exit(code));
  }

  onShutdown(name: string, fn: () => Promise<void>, phase: ShutdownPhase): void {
    this.hooks.push({ name, fn, phase });
  }

  /** Intake hook: readiness turns 503 `draining`, then the server closes (see closeServer). */
  attachServer(server: Server, readiness?: Readiness): void {
    this.onShutdown(
      'http-server',
      async () => {
        readiness?.setDraining();
        await closeServer(server, Math.max(0, this.timeoutMs - 2_000));
      },
      'intake',
    );
  }

  /** Handles SIGTERM and SIGINT (idempotent). */
  install(): void {
    if (this.installed) return;
    this.installed = true;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (this.running) {
        this.logger.warn({ signal }, 'second signal during shutdown; exiting now');
        this.exit(1);
        return;
      }
      void this.shutdown(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  get shuttingDown(): boolean {
    return this.running !== undefined;
  }

  /** Runs the shutdown sequence once (later calls share it), then exits. */
  shutdown(reason: string): Promise<void> {
    this.running ??= this.run(reason);
    return this.running;
  }

  private async run(reason: string): Promise<void> {
    const started = Date.now();
    this.logger.info({ reason }, 'shutdown started');
    const hard = setTimeout(() => {
      this.logger.error({ reason, timeout_ms: this.timeoutMs }, 'shutdown timed out; exiting');
      this.exit(1);
    }, this.timeoutMs);
    for (const phase of SHUTDOWN_PHASES) {
      for (const hook of this.hooks.filter((h) => h.phase === phase)) {
        try {
          await hook.fn();
        } catch (err) {
          this.logger.error({ err, hook: hook.name, phase }, 'shutdown hook failed; continuing');
        }
      }
    }
    clearTimeout(hard);
    this.logger.info({ reason, duration_ms: Date.now() - started }, 'shutdown complete');
    this.exit(0);
  }
}
