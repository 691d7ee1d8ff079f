import { open } from 'node:fs/promises';

/**
 * Chaos events on the load timeline. Two ways in, for `brewops chaos` or any other tool:
 * - in process: `run.markEvent('kill order-1', { kind: 'start', target: 'order-1' })`;
 * - from a file: `brewops load --events FILE.jsonl`, one JSON object a line, appended while the
 *   run goes: `{"label":"kill order-1","kind":"start","target":"order-1","at":"2025-01-01T10:00:03Z"}`
 *   (`at`: ISO time or epoch ms, default when the line is read; `kind`: start | end | point).
 * The report draws each as a vertical line at its second.
 */
export type ChaosEventKind = 'start' | 'end' | 'point';

export interface ChaosEvent {
  /** ISO time. */
  readonly at: string;
  /** Seconds since the run started (negative: before it). */
  readonly t: number;
  readonly label: string;
  readonly kind: ChaosEventKind;
  readonly source: 'api' | 'file';
  readonly target?: string;
}

export interface MarkOptions {
  readonly kind?: ChaosEventKind;
  readonly target?: string;
  /** @default now */
  readonly at?: Date | number;
}

const KINDS: readonly string[] = ['start', 'end', 'point'];
const POLL_MS = 250;

export class EventLog {
  private readonly events: ChaosEvent[] = [];
  private readonly bad: string[] = [];

  constructor(private readonly startedAtEpochMs: number) {}

  mark(label: string, opts: MarkOptions = {}, source: ChaosEvent['source'] = 'api'): ChaosEvent {
    const at = opts.at === undefined ? Date.now() : typeof opts.at === 'number' ? opts.at : opts.at.getTime();
    const e: ChaosEvent = {
      at: new Date(at).toISOString(),
      t: Math.round((at - this.startedAtEpochMs) / 10) / 100,
      label: label.slice(0, 200),
      kind: opts.kind ?? 'point',
      source,
      ...(opts.target !== undefined ? { target: opts.target.slice(0, 200) } : {}),
    };
    this.events.push(e);
    return e;
  }

  /** One line of an events file; a bad line is remembered (see `rejected`) and skipped. */
  addLine(line: string): void {
    if (line.trim() === '') return;
    try {
      const o = JSON.parse(line) as { label?: unknown; kind?: unknown; target?: unknown; at?: unknown };
      if (typeof o.label !== 'string' || o.label === '') throw new Error('no "label"');
      if (o.kind !== undefined && !KINDS.includes(o.kind as string)) throw new Error(`"kind" must be start, end or point`);
      const at = typeof o.at === 'number' ? o.at : typeof o.at === 'string' ? Date.parse(o.at) : Date.now();
      if (!Number.isFinite(at)) throw new Error('"at" is not a time');
      this.mark(o.label, {
        at,
        ...(o.kind !== undefined ? { kind: o.kind as ChaosEventKind } : {}),
        ...(typeof o.target === 'string' ? { target: o.target } : {}),
      }, 'file');
    } catch (err) {
      this.bad.push(`${line.slice(0, 80)} (${(err as Error).message})`);
    }
  }

  /** Events in time order. */
  list(): ChaosEvent[] {
    return [...this.events].sort((a, b) => a.t - b.t);
  }

  /** Lines of the events file that were skipped, with why. */
  rejected(): readonly string[] {
    return this.bad;
  }

  /**
   * Reads new lines of `file` every 250 ms until `signal` aborts, then once more. A file that
   * does not exist yet is waited for. Resolves after the last read.
   */
  async follow(file: string, signal: AbortSignal): Promise<void> {
    let offset = 0;
    let partial = '';
    const readNew = async (): Promise<void> => {
      let fh;
      try {
        fh = await open(file, 'r');
      } catch {
        return;
      }
      try {
        const buf = Buffer.alloc(64 * 1024);
        for (;;) {
          const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
          partial += buf.subarray(0, bytesRead).toString('utf8');
          const lines = partial.split('\n');
          partial = lines.pop() ?? '';
          for (const l of lines) this.addLine(l);
        }
      } finally {
        await fh.close();
      }
    };
    while (!signal.aborted) {
      await readNew();
      await new Promise<void>((r) => {
        const done = (): void => {
          clearTimeout(t);
          signal.removeEventListener('abort', done);
          r();
        };
        const t = setTimeout(done, POLL_MS);
        signal.addEventListener('abort', done, { once: true });
      });
    }
    await readNew();
    if (partial.trim() !== '') this.addLine(partial);
  }
}
