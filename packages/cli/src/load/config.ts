import { parseArgs } from 'node:util';
import { usageError } from '../errors.js';
import { parseThresholds, type Threshold } from './thresholds.js';
import { JOURNEY_NAMES, type JourneyName, type Scenario } from './types.js';
import { parseCount, parseDuration, parseRate } from './units.js';

export const LOAD_USAGE = `  load [--journeys browse=5,order=3,status=2,sse=1,member=1] [--rate 20/s | --concurrency N]
       [--ramp-up 0s] [--duration 20s] [--max-requests 20000] [--think-time 100ms]
       [--threshold p95<300ms,p99<800ms,errors<1%] [--out DIR] [--script loadtest/smoke.ts]
       [--target URL] [--api-key-file FILE] [--events FILE.jsonl] [--max-in-flight 200]
       [--timeout 5s] [--sse-timeout 15s]
                               HTTP load through the gateway; writes result.json and report.html
                               (default .brewops/load/<time>); exit 1 when a threshold is breached`;

/** Settings of one run, after the script, the flags and the defaults were merged. No secrets. */
export interface LoadConfig {
  readonly scenario: string;
  readonly script: string | null;
  readonly target: string;
  /** Only journeys with a weight above 0. */
  readonly journeys: Readonly<Partial<Record<JourneyName, number>>>;
  readonly model: 'rate' | 'concurrency';
  /** Open model: journeys started per second. */
  readonly ratePerSecond: number | null;
  /** Closed model: virtual users. */
  readonly concurrency: number | null;
  readonly maxInFlight: number;
  readonly rampUpMs: number;
  readonly durationMs: number;
  readonly maxRequests: number;
  readonly thinkTimeMs: number;
  readonly requestTimeoutMs: number;
  readonly sseTimeoutMs: number;
  readonly thresholds: readonly Threshold[];
  readonly eventsFile: string | null;
  readonly apiKeyFile: string | null;
}

/** What the command line or a script set; anything missing takes the default. */
export interface LoadSettings {
  journeys?: Partial<Record<JourneyName, number>>;
  ratePerSecond?: number;
  concurrency?: number;
  maxInFlight?: number;
  rampUpMs?: number;
  durationMs?: number;
  maxRequests?: number;
  thinkTimeMs?: number;
  requestTimeoutMs?: number;
  sseTimeoutMs?: number;
  thresholds?: Threshold[];
  target?: string;
  name?: string;
}

export interface LoadCommand {
  readonly command: 'load';
  readonly settings: LoadSettings;
  readonly script: string | null;
  readonly outDir: string | null;
  readonly eventsFile: string | null;
  readonly apiKeyFile: string | null;
}

export const DEFAULTS = {
  journeys: { browse: 5, order: 3, status: 2, sse: 1, member: 1 },
  ratePerSecond: 20,
  maxInFlight: 200,
  rampUpMs: 0,
  durationMs: 20_000,
  maxRequests: 20_000,
  thinkTimeMs: 100,
  requestTimeoutMs: 5_000,
  sseTimeoutMs: 15_000,
  thresholds: 'errors<1%',
} as const;

/** Exact percentiles keep every sample: this bounds the memory (8 bytes a request). */
export const MAX_REQUESTS_LIMIT = 1_000_000;
const MAX_DURATION_MS = 3_600_000;

/** `browse=5,order=3` → weights; unknown journeys and bad weights are usage errors. */
export function parseJourneys(spec: string | Partial<Record<string, number>>, what: string): Partial<Record<JourneyName, number>> {
  const entries: Array<[string, string | number]> = typeof spec === 'string'
    ? spec.split(',').filter((p) => p.trim() !== '').map((p) => {
      const [name, weight, extra] = p.split('=').map((s) => s.trim());
      if (!name || extra !== undefined) throw usageError(`${what}: "${p}" is not name=weight (e.g. browse=5,order=3)`);
      return [name, weight ?? '1'];
    })
    : Object.entries(spec).map(([k, v]) => [k, v ?? 0]);
  const out: Partial<Record<JourneyName, number>> = {};
  for (const [name, raw] of entries) {
    if (!(JOURNEY_NAMES as readonly string[]).includes(name)) {
      throw usageError(`${what}: unknown journey "${name}" (known: ${JOURNEY_NAMES.join(', ')})`);
    }
    const w = typeof raw === 'number' ? raw : /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isFinite(w) || w < 0) throw usageError(`${what}: the weight of "${name}" must be a number ≥ 0 (got "${raw}")`);
    if (w > 0) out[name as JourneyName] = w;
  }
  if (Object.keys(out).length === 0) throw usageError(`${what}: give at least one journey a weight above 0 (known: ${JOURNEY_NAMES.join(', ')})`);
  return out;
}

/** An http(s) origin; a path other than `/` is refused. */
export function parseTarget(raw: string, what: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`${what} needs an http(s) URL such as http://127.0.0.1:8080 (got "${raw}")`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || (url.pathname !== '/' && url.pathname !== '')) {
    throw usageError(`${what} needs the gateway's origin only, such as http://127.0.0.1:8080 (got "${raw}")`);
  }
  return url.origin;
}

const STRING_FLAGS = ['journeys', 'rate', 'concurrency', 'ramp-up', 'duration', 'max-requests', 'think-time', 'threshold',
  'out', 'script', 'target', 'api-key-file', 'events', 'max-in-flight', 'timeout', 'sse-timeout'] as const;

/** `--duration -5s` would read as an unknown option; pass it as `--duration=-5s` so it gets a clear message. */
function joinNegativeValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    if (a.startsWith('--') && (STRING_FLAGS as readonly string[]).includes(a.slice(2)) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** `brewops load ...` (the words after `load`). Every value is checked here: bad input exits 2 before any request. */
export function parseLoadArgs(args: readonly string[]): LoadCommand {
  let values: Partial<Record<(typeof STRING_FLAGS)[number], string>>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: joinNegativeValues(args),
      options: Object.fromEntries(STRING_FLAGS.map((f) => [f, { type: 'string' }])) as Record<(typeof STRING_FLAGS)[number], { type: 'string' }>,
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    throw usageError(`load: ${((err as Error).message.split('. ')[0] ?? '').replace(/\.$/, '')}`);
  }
  if (positionals.length > 0) throw usageError(`load: unexpected argument "${positionals[0]}" (options start with --)`);
  if (values.rate !== undefined && values.concurrency !== undefined) throw usageError('load: use --rate (open model) or --concurrency (closed model), not both');
  const s: LoadSettings = {};
  if (values.journeys !== undefined) s.journeys = parseJourneys(values.journeys, 'load: --journeys');
  if (values.rate !== undefined) s.ratePerSecond = parseRate(values.rate, 'load: --rate');
  if (values.concurrency !== undefined) s.concurrency = parseCount(values.concurrency, 'load: --concurrency', 1, 1000);
  if (values['max-in-flight'] !== undefined) s.maxInFlight = parseCount(values['max-in-flight'], 'load: --max-in-flight', 1, 10_000);
  if (values['ramp-up'] !== undefined) s.rampUpMs = parseDuration(values['ramp-up'], 'load: --ramp-up', true);
  if (values.duration !== undefined) s.durationMs = parseDuration(values.duration, 'load: --duration');
  if (values['max-requests'] !== undefined) s.maxRequests = parseCount(values['max-requests'], 'load: --max-requests', 1, MAX_REQUESTS_LIMIT);
  if (values['think-time'] !== undefined) s.thinkTimeMs = parseDuration(values['think-time'], 'load: --think-time', true);
  if (values.timeout !== undefined) s.requestTimeoutMs = parseDuration(values.timeout, 'load: --timeout');
  if (values['sse-timeout'] !== undefined) s.sseTimeoutMs = parseDuration(values['sse-timeout'], 'load: --sse-timeout');
  if (values.threshold !== undefined) s.thresholds = parseThresholds(values.threshold);
  if (values.target !== undefined) s.target = parseTarget(values.target, 'load: --target');
  if (s.durationMs !== undefined && s.durationMs > MAX_DURATION_MS) throw usageError('load: --duration is at most 1h');
  for (const f of ['out', 'script', 'api-key-file', 'events'] as const) {
    if (values[f] === '') throw usageError(`load: --${f} needs a file or directory path`);
  }
  return {
    command: 'load',
    settings: s,
    script: values.script ?? null,
    outDir: values.out ?? null,
    eventsFile: values.events ?? null,
    apiKeyFile: values['api-key-file'] ?? null,
  };
}

/** A script's scenario → settings, checked like flags (`scenario loadtest/x.ts: rate ...`). */
export function scenarioSettings(sc: Scenario, file: string): LoadSettings {
  const what = (field: string): string => `scenario ${file}: ${field}`;
  if (typeof sc !== 'object' || sc === null) throw usageError(`scenario ${file}: must export a scenario object (export default defineScenario({...}))`);
  if (sc.rate !== undefined && sc.concurrency !== undefined) throw usageError(`${what('rate')} and concurrency exclude each other: set one`);
  const s: LoadSettings = {};
  if (sc.name !== undefined) s.name = String(sc.name);
  if (sc.journeys !== undefined) s.journeys = parseJourneys(sc.journeys as Record<string, number>, what('journeys'));
  if (sc.rate !== undefined) s.ratePerSecond = parseRate(sc.rate, what('rate'));
  if (sc.concurrency !== undefined) s.concurrency = parseCount(sc.concurrency, what('concurrency'), 1, 1000);
  if (sc.maxInFlight !== undefined) s.maxInFlight = parseCount(sc.maxInFlight, what('maxInFlight'), 1, 10_000);
  if (sc.rampUp !== undefined) s.rampUpMs = parseDuration(sc.rampUp, what('rampUp'), true);
  if (sc.duration !== undefined) s.durationMs = parseDuration(sc.duration, what('duration'));
  if (sc.maxRequests !== undefined) s.maxRequests = parseCount(sc.maxRequests, what('maxRequests'), 1, MAX_REQUESTS_LIMIT);
  if (sc.thinkTime !== undefined) s.thinkTimeMs = parseDuration(sc.thinkTime, what('thinkTime'), true);
  if (sc.requestTimeout !== undefined) s.requestTimeoutMs = parseDuration(sc.requestTimeout, what('requestTimeout'));
  if (sc.sseTimeout !== undefined) s.sseTimeoutMs = parseDuration(sc.sseTimeout, what('sseTimeout'));
  if (sc.thresholds !== undefined) s.thresholds = parseThresholds(sc.thresholds);
  if (sc.target !== undefined) s.target = parseTarget(sc.target, what('target'));
  if (s.durationMs !== undefined && s.durationMs > MAX_DURATION_MS) throw usageError(`${what('duration')} is at most 1h`);
  return s;
}

/**
 * Merges defaults ← script ← flags. A flag choosing the model (--rate or --concurrency) replaces
 * the script's model. Pure.
 */
export function resolveLoadConfig(
  cmd: LoadCommand,
  script: LoadSettings | null,
  defaults: { readonly target: string; readonly apiKeyFile: string | null; readonly scenario: string },
): LoadConfig {
  const base: LoadSettings = { ...(script ?? {}) };
  if (cmd.settings.ratePerSecond !== undefined || cmd.settings.concurrency !== undefined) {
    delete base.ratePerSecond;
    delete base.concurrency;
  }
  const s: LoadSettings = { ...base, ...cmd.settings };
  const concurrency = s.concurrency ?? null;
  return {
    scenario: s.name ?? defaults.scenario,
    script: cmd.script,
    target: s.target ?? defaults.target,
    journeys: s.journeys ?? DEFAULTS.journeys,
    model: concurrency !== null ? 'concurrency' : 'rate',
    ratePerSecond: concurrency !== null ? null : (s.ratePerSecond ?? DEFAULTS.ratePerSecond),
    concurrency,
    maxInFlight: s.maxInFlight ?? DEFAULTS.maxInFlight,
    rampUpMs: s.rampUpMs ?? DEFAULTS.rampUpMs,
    durationMs: s.durationMs ?? DEFAULTS.durationMs,
    maxRequests: s.maxRequests ?? DEFAULTS.maxRequests,
    thinkTimeMs: s.thinkTimeMs ?? DEFAULTS.thinkTimeMs,
    requestTimeoutMs: s.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    sseTimeoutMs: s.sseTimeoutMs ?? DEFAULTS.sseTimeoutMs,
    thresholds: s.thresholds ?? parseThresholds(DEFAULTS.thresholds),
    eventsFile: cmd.eventsFile,
    apiKeyFile: cmd.apiKeyFile ?? defaults.apiKeyFile,
  };
}
