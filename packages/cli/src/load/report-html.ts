import type { LoadResult } from './result.js';
import { REPORT_SCRIPT } from './report-script.js';
import { describeObserved } from './thresholds.js';
import { formatPercent } from './units.js';

/** Text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that is safe inside <script>: no `</script>`, no `<!--`, no U+2028/9 surprises. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1160px;color:#111827;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.verdict{display:inline-block;padding:2px 10px;border-radius:4px;font-weight:600;color:#fff}
.pass{background:#059669}.fail{background:#dc2626}
table{border-collapse:collapse;margin:4px 0}td,th{padding:3px 10px;border-bottom:1px solid #e5e7eb;text-align:right}
td:first-child,th:first-child,td.l,th.l{text-align:left}
figure{margin:12px 0 24px;border:1px solid #e5e7eb;border-radius:6px;padding:8px}
figcaption{font-weight:600;margin:0 0 4px}.legend span{margin-right:16px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px;border-radius:2px}
.muted{color:#6b7280}`;

const ms = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(1));

function rows(cells: string[][], head: string[]): string {
  const th = head.map((h, i) => `<th${i < 2 ? ' class="l"' : ''}>${escapeHtml(h)}</th>`).join('');
  const tr = cells.map((r) => `<tr>${r.map((c, i) => `<td${i < 2 ? ' class="l"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

/** The self-contained report: tables rendered here, charts drawn by the inline script. */
export function renderReport(r: LoadResult): string {
  const t = r.totals;
  const c = r.config;
  const model = c.model === 'rate' ? `open model, ${c.ratePerSecond}/s arrivals (at most ${c.maxInFlight} in flight)` : `closed model, ${c.concurrency} users`;
  const steps = r.journeys.flatMap((j) => j.steps.map((s) => [
    j.journey, s.step, String(s.requests), String(s.errors), ms(s.latencyMs?.p50), ms(s.latencyMs?.p95), ms(s.latencyMs?.p99),
    s.streamMs ? ms(s.streamMs.p95) : '',
    Object.entries(s.errorsByType).map(([k, v]) => `${k} ${v}`).join(', '),
  ]));
  const journeys = r.journeys.map((j) => [j.journey, '', String(j.started), String(j.completed), String(j.failed)]);
  const thresholds = r.thresholds.map((th) => [th.passed ? 'PASS' : 'FAIL', th.threshold, describeObserved(th)]);
  const events = r.events.map((e) => [`${e.t.toFixed(1)} s`, e.label, e.kind, e.target ?? '', e.source]);
  const chart = (id: string, title: string): string => `<figure class="chart" id="${id}" data-title="${escapeHtml(title)}" data-rendered="false"><figcaption>${escapeHtml(title)}</figcaption></figure>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>brewops load: ${escapeHtml(r.scenario)}</title>
<style>${STYLE}</style>
</head>
<body data-charts-rendered="0">
<h1>brewops load: ${escapeHtml(r.scenario)} <span class="verdict ${r.passed ? 'pass' : 'fail'}">${r.passed ? 'PASS' : 'FAIL'}</span></h1>
<p class="muted">${escapeHtml(r.startedAt)} · ${escapeHtml(c.target)} · ${escapeHtml(model)} · ${r.elapsedSec.toFixed(1)} s, stopped by ${escapeHtml(r.stoppedBy)}</p>
<h2>Summary</h2>
<table id="totals"><tbody>
<tr><th class="l">requests</th><td>${t.requests}</td><th class="l">throughput</th><td>${t.throughput.toFixed(1)} req/s</td></tr>
<tr><th class="l">errors</th><td>${t.errors} (${formatPercent(t.errorRatio)})</td><th class="l">dropped arrivals</th><td>${t.dropped} (${formatPercent(t.droppedRatio)})</td></tr>
<tr><th class="l">p50 / p95 / p99</th><td>${ms(t.latencyMs?.p50)} / ${ms(t.latencyMs?.p95)} / ${ms(t.latencyMs?.p99)} ms</td><th class="l">max</th><td>${ms(t.latencyMs?.max)} ms</td></tr>
</tbody></table>
<h2>Thresholds</h2>
${rows(thresholds, ['result', 'threshold', 'observed'])}
<h2>Charts</h2>
${chart('chart-throughput', 'Throughput per second')}
${chart('chart-latency', 'Latency percentiles per second (time to response headers)')}
${chart('chart-errors', 'Errors by type per second')}
<h2>Journeys</h2>
${rows(journeys, ['journey', '', 'started', 'completed', 'failed'])}
<h2>Steps</h2>
${rows(steps, ['journey', 'step', 'requests', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'stream p95 ms', 'errors by type'])}
<h2>Chaos events</h2>
${events.length > 0 ? rows(events, ['at', 'label', 'kind', 'target', 'source']) : '<p class="muted">none marked</p>'}
<p class="muted">Percentiles: ${escapeHtml(r.percentiles)}.</p>
<script type="application/json" id="load-result">${scriptJson(r)}</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}
