import type { Logger } from '@brewops/platform';

const DAY_MS = 86_400_000;
const DAILY = /^(.+)-(\d{4})\.(\d{2})\.(\d{2})$/;

/** The UTC day a daily index (`<prefix>-YYYY.MM.DD`) holds, as ms at 00:00 UTC; undefined if not daily. */
export function indexDay(name: string, prefix: string): number | undefined {
  const m = DAILY.exec(name);
  if (!m || m[1] !== prefix) return undefined;
  const [y, mo, d] = [Number(m[2]), Number(m[3]), Number(m[4])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  // Reject impossible dates (2026.02.30) rather than deleting a day that rolled over.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return t;
}

/**
 * Daily indices with one of `prefixes` whose whole day is older than `retentionDays`: with 7 days,
 * on 2026-11-23 the indices of 2026-11-16 and before are expired, 2026-11-17 to today are kept.
 * Anything that is not a daily index of those prefixes is never returned.
 */
export function expiredIndices(names: readonly string[], prefixes: readonly string[], retentionDays: number, now: Date): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const oldestKept = today - (retentionDays - 1) * DAY_MS;
  return names.filter((n) => prefixes.some((p) => {
    const day = indexDay(n, p);
    return day !== undefined && day < oldestKept;
  })).sort();
}

/** What retention needs from the search backend. */
export interface IndexAdmin {
  listIndices(patterns: readonly string[]): Promise<string[]>;
  deleteIndices(names: readonly string[]): Promise<void>;
}

export interface RetentionOptions {
  readonly prefixes: readonly string[];
  readonly retentionDays: number;
  readonly everyMs: number;
  readonly onDeleted?: (n: number) => void;
}

/** Deletes expired daily indices at start and then every `everyMs`; failures are logged and retried next round. */
export function startRetention(admin: IndexAdmin, opts: RetentionOptions, logger: Logger): { stop(): void } {
  const round = async (): Promise<void> => {
    try {
      const all = await admin.listIndices(opts.prefixes.map((p) => `${p}-*`));
      const expired = expiredIndices(all, opts.prefixes, opts.retentionDays, new Date());
      if (expired.length === 0) return;
      await admin.deleteIndices(expired);
      opts.onDeleted?.(expired.length);
      logger.info({ indices: expired, retentionDays: opts.retentionDays }, `retention: deleted ${expired.length} expired indices`);
    } catch (err) {
      logger.warn({ err }, 'retention round failed; retrying next round');
    }
  };
  void round();
  const timer = setInterval(() => void round(), opts.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
