export interface CheckResult {
  ok: boolean;
  reason?: string;
}

export type ReadinessStatus = 'ok' | 'unavailable' | 'draining';

export interface ReadinessReport {
  ready: boolean;
  status: ReadinessStatus;
  checks: Record<string, CheckResult>;
}

export interface ReadinessOptions {
  /** A check function that has not answered after this long counts as failed, ms. @default 1000 */
  checkTimeoutMs?: number;
}

type CheckFn = () => boolean | Promise<boolean>;

/**
 * What `/health/ready` reports: ready when every named check passes and the instance is not
 * draining. Checks are either set (`set`, pushed by whoever knows, e.g. a consumer) or
 * evaluated on each report (`check`, pulled, e.g. "is the AMQP connection open").
 */
export class Readiness {
  private readonly states = new Map<string, CheckResult>();
  private readonly fns = new Map<string, CheckFn>();
  private readonly checkTimeoutMs: number;
  private drainingFlag = false;

  constructor(options: ReadinessOptions = {}) {
    this.checkTimeoutMs = options.checkTimeoutMs ?? 1_000;
  }

  /** Sets the state of a pushed check. */
  set(name: string, ok: boolean, reason?: string): void {
    this.fns.delete(name);
    this.states.set(name, reason === undefined || ok ? { ok } : { ok, reason });
  }

  /** Registers a pulled check, evaluated on every report; a throw or a timeout counts as failed. */
  check(name: string, fn: CheckFn): void {
    this.states.delete(name);
    this.fns.set(name, fn);
  }

  /** From now on the instance reports 503 `draining` (shutdown has begun). */
  setDraining(): void {
    this.drainingFlag = true;
  }

  get draining(): boolean {
    return this.drainingFlag;
  }

  async report(): Promise<ReadinessReport> {
    const checks: Record<string, CheckResult> = {};
    for (const [name, state] of this.states) checks[name] = state;
    const pulled = await Promise.all([...this.fns].map(async ([name, fn]) => [name, await this.run(fn)] as const));
    for (const [name, result] of pulled) checks[name] = result;
    const allOk = Object.values(checks).every((c) => c.ok);
    const status: ReadinessStatus = this.drainingFlag ? 'draining' : allOk ? 'ok' : 'unavailable';
    return { ready: status === 'ok', status, checks };
  }

  private async run(fn: CheckFn): Promise<CheckResult> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<CheckResult>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, reason: `check timed out after ${this.checkTimeoutMs} ms` }), this.checkTimeoutMs);
      });
      const result = Promise.resolve()
        .then(fn)
        .then((ok): CheckResult => (ok ? { ok: true } : { ok: false, reason: 'check failed' }));
      return await Promise.race([result, timeout]);
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}
