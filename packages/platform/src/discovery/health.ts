import { EtcdLeaseInvalidError } from 'etcd3';

/** Whether an etcd error means etcd did not answer (as opposed to answering "no"). */
export function isUnavailable(err: unknown): boolean {
  return !(err instanceof EtcdLeaseInvalidError);
}

/**
 * Tracks whether the last etcd interaction succeeded. Transitions are reported once each;
 * while down, a cheap probe runs every `probeIntervalMs` so readiness recovers even when
 * nothing else talks to etcd.
 */
export class EtcdHealth {
  private state: 'unknown' | 'up' | 'down' = 'unknown';
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  private closed = false;

  constructor(
    private readonly onChange: (up: boolean, err?: unknown) => void,
    private readonly probe: () => Promise<unknown>,
    private readonly probeIntervalMs = 1000,
  ) {}

  get isHealthy(): boolean {
    return this.state === 'up';
  }

  ok(): void {
    if (this.closed || this.state === 'up') return;
    const wasDown = this.state === 'down';
    this.state = 'up';
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    if (wasDown) this.onChange(true);
  }

  failed(err: unknown): void {
    if (!isUnavailable(err)) return this.ok(); // etcd answered, just not with a yes
    if (this.closed || this.state === 'down') return;
    this.state = 'down';
    this.onChange(false, err);
    this.probeTimer = setInterval(() => this.runProbe(), this.probeIntervalMs);
    this.probeTimer.unref();
  }

  /** Wraps one etcd call: success marks up, an unavailability error marks down. */
  async track<T>(call: Promise<T>): Promise<T> {
    try {
      const result = await call;
      this.ok();
      return result;
    } catch (err) {
      this.failed(err);
      throw err;
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.probeTimer);
  }

  private runProbe(): void {
    if (this.probing || this.closed) return;
    this.probing = true;
    this.probe().then(
      () => this.ok(),
      () => undefined,
    ).finally(() => (this.probing = false));
  }
}
