/**
 * Content negotiation for `/metrics`. With exemplars the registry renders OpenMetrics
 * (`application/openmetrics-text; version=1.0.0`), which Prometheus asks for first. Clients that
 * do not ask for it (curl, older tools) get the Prometheus text format 0.0.4, converted from the
 * same rendering, so both formats always show the same series and the Content-Type always
 * matches the body.
 */

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** True when an `Accept` header lists OpenMetrics with a non-zero quality. */
export function acceptsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (type !== 'application/openmetrics-text') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** Index just past the label set of a sample line (`name{...}`), honouring quoted label values. */
function endOfLabels(line: string, open: number): number {
  let inQuotes = false;
  for (let i = open + 1; i < line.length; i++) {
    const c = line[i];
    if (inQuotes) {
      if (c === '\\') i++;
      else if (c === '"') inQuotes = false;
    } else if (c === '"') inQuotes = true;
    else if (c === '}') return i + 1;
  }
  return line.length;
}

/** A sample line without its exemplar (` # {labels} value [timestamp]`). */
function stripExemplar(line: string): string {
  const space = line.indexOf(' ');
  const brace = line.indexOf('{');
  const afterName = brace !== -1 && (space === -1 || brace < space) ? endOfLabels(line, brace) : Math.max(space, 0);
  const hash = line.indexOf(' # ', afterName);
  return hash === -1 ? line : line.slice(0, hash);
}

/**
 * Converts prom-client's OpenMetrics output to the Prometheus text format 0.0.4: drops `# EOF`,
 * `# UNIT` and exemplars, names counter families with their `_total` suffix (as their samples),
 * and maps type `unknown` to `untyped`.
 */
export function openMetricsToPrometheusText(om: string): string {
  const lines = om.split('\n');
  const counters = new Set<string>();
  for (const line of lines) {
    if (line.startsWith('# TYPE ') && line.endsWith(' counter')) counters.add(line.slice(7, -8));
  }
  const out: string[] = [];
  for (const line of lines) {
    if (line === '' || line === '# EOF' || line.startsWith('# UNIT ')) continue;
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) {
      const end = line.indexOf(' ', 7);
      const name = end === -1 ? line.slice(7) : line.slice(7, end);
      const rest = end === -1 ? '' : line.slice(end);
      const family = counters.has(name) && !name.endsWith('_total') ? `${name}_total` : name;
      const kind = line.startsWith('# TYPE ') && rest === ' unknown' ? ' untyped' : rest;
      out.push(`${line.slice(0, 7)}${family}${kind}`);
    } else if (line.startsWith('#')) {
      out.push(line);
    } else {
      out.push(stripExemplar(line));
    }
  }
  return `${out.join('\n')}\n`;
}
