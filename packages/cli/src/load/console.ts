import { describeObserved } from './thresholds.js';
import type { LoadResult } from './result.js';
import { formatMs, formatPercent } from './units.js';

/** The figures of one second, for the live progress line. */
export interface SecondFigures {
  /** Seconds since the start, at the end of the second shown. */
  readonly elapsedSec: number;
  readonly requests: number;
  readonly errors: number;
  readonly dropped: number;
  readonly p95: number | null;
  readonly inFlight: number;
  readonly totalRequests: number;
  readonly totalErrors: number;
}

/** `[load]   3 s   48 req/s  p95 12.3 ms  errors 0 (0.00%)  dropped 0  in flight 4  total 144` */
export function progressLine(f: SecondFigures): string {
  const ratio = f.requests === 0 ? 0 : f.errors / f.requests;
  return `[load] ${String(f.elapsedSec).padStart(3)} s  ${String(f.requests).padStart(5)} req/s  p95 ${formatMs(f.p95).padStart(8)}`
    + `  errors ${f.errors} (${formatPercent(ratio)})  dropped ${f.dropped}  in flight ${f.inFlight}  total ${f.totalRequests}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

const ms = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(1));

/** The end-of-run summary: one row per journey step, a total, the thresholds and where the files are. */
export function summaryText(r: LoadResult, files: { result: string; report: string }): string {
  const rows: string[][] = [['journey', 'step', 'requests', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms']];
  for (const j of r.journeys) {
    for (const s of j.steps) {
      rows.push([j.journey, s.step, String(s.requests), String(s.errors), ms(s.latencyMs?.p50), ms(s.latencyMs?.p95), ms(s.latencyMs?.p99), ms(s.latencyMs?.max)]);
    }
  }
  const t = r.totals;
  rows.push(['total', '', String(t.requests), String(t.errors), ms(t.latencyMs?.p50), ms(t.latencyMs?.p95), ms(t.latencyMs?.p99), ms(t.latencyMs?.max)]);
  const errors = Object.entries(t.errorsByType).map(([k, v]) => `${k} ${v}`).join(', ');
  const lines = [
    '',
    `${r.scenario}: ${t.requests} requests in ${r.elapsedSec.toFixed(1)} s (${t.throughput.toFixed(1)} req/s), `
      + `errors ${t.errors} (${formatPercent(t.errorRatio)})${errors ? `: ${errors}` : ''}, dropped ${t.dropped}, stopped by ${r.stoppedBy}`,
    '',
    table(rows),
    '',
    'thresholds:',
    ...r.thresholds.map((th) => `  ${th.passed ? 'PASS' : 'FAIL'}  ${th.threshold.padEnd(16)} observed ${describeObserved(th)}`),
    ...(r.events.length > 0 ? ['', `chaos events: ${r.events.length}`] : []),
    '',
    `result: ${files.result}`,
    `report: ${files.report}`,
  ];
  return `${lines.join('\n')}\n`;
}

