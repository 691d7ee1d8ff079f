/**
 * The chaos scenario catalog: what each fault does, the alert that should fire, the controller
 * action expected, and the recovery bound. docs/scenarios.md is rendered from it (`brewops chaos
 * list --markdown`; a unit test keeps them equal). Expectations hold for the local stack under
 * `brewops up` with the controller acting (not dry-run) and its default rules
 * (services/controller/src/config.ts: reroute after 3 failed probes of 250 ms, restart 2 s later).
 */
import type { BackendName } from '../backends/types.js';

export type ControllerAction = 'reroute' | 'restart' | 'reinstate';

/** Fault flags as written under `faults` / `faults.instances.<id>` (packages/platform faultsSchema). */
export interface FaultFlags {
  readonly errorRatio?: number;
  readonly latencyMs?: number;
  readonly hang?: boolean;
  /** `now` is replaced by the injection time (a crash stamp). */
  readonly crashAt?: 'now';
  readonly memoryGrowthMbPerSec?: number;
  readonly memoryCapMb?: number;
  readonly cpuBurnRatio?: number;
  readonly brokerDisconnect?: boolean;
}

export type Fault =
  | { readonly kind: 'flags'; readonly flags: FaultFlags }
  | { readonly kind: 'signal'; readonly signal: 'SIGKILL' | 'SIGSTOP' }
  | { readonly kind: 'backend'; readonly backend: BackendName };

export interface AlertExpectation {
  /** Rule name in alert-rules/*.rules.yml; null when no rule covers this fault. */
  readonly rule: string | null;
  /** The rule's `for:`. */
  readonly for: string | null;
  /** `pending`: verify requires the alert pending or firing during the run; `no`: not checked, see `note`. */
  readonly check: 'pending' | 'no';
  readonly note: string;
}

export interface Scenario {
  readonly name: string;
  readonly summary: string;
  readonly fault: Fault;
  /** Instance id (or service name) for instance faults, the backend name for backend faults. */
  readonly defaultTarget: string;
  readonly defaultDurationMs: number;
  /** Target and duration `chaos verify` uses (short, so the whole catalog runs in ~4 minutes). */
  readonly verify: { readonly target: string; readonly durationMs: number };
  readonly alert: AlertExpectation;
  /** Controller actions expected on the target, in order (others may come in between); [] = none on any instance. */
  readonly actions: readonly ControllerAction[];
  /** Why these actions (the rule that makes them). */
  readonly actionNote: string;
  /** After the fault is cleared, the target is ready and the controller sees it healthy within this, ms. */
  readonly recoveryBoundMs: number;
}

const notFastEnough = (forText: string, why: string): string => `not checked in verify: for: ${forText}; ${why}`;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'instance-crash',
    summary: 'kill -9 of one instance process',
    fault: { kind: 'signal', signal: 'SIGKILL' },
    defaultTarget: 'member-1', defaultDurationMs: 10_000,
    verify: { target: 'member-1', durationMs: 6000 },
    alert: { rule: 'BrewopsInstanceDown', for: '15s', check: 'no', note: notFastEnough('15s', 'the controller has it restarted in ~5 s') },
    actions: ['reroute', 'restart', 'reinstate'],
    actionNote: 'lease lost → reroute at once; not ready 2 s later → restart; 2 ready probes → reinstate. If the controller does not restart it, chaos starts it again through the supervisor at the end.',
    recoveryBoundMs: 20_000,
  },
  {
    name: 'instance-hang',
    summary: 'SIGSTOP of one instance process (SIGCONT at the end)',
    fault: { kind: 'signal', signal: 'SIGSTOP' },
    defaultTarget: 'member-2', defaultDurationMs: 10_000,
    verify: { target: 'member-2', durationMs: 8000 },
    alert: { rule: 'BrewopsInstanceDown', for: '15s', check: 'no', note: notFastEnough('15s', 'the controller restarts it before') },
    actions: ['reroute', 'restart', 'reinstate'],
    actionNote: '3 probes time out → reroute; not ready 2 s later → restart (the supervisor sends SIGCONT with its SIGTERM, so the stopped process resumes and drains) → reinstate. A hang shorter than ~3.5 s ends before the restart: reroute → reinstate.',
    recoveryBoundMs: 25_000,
  },
  {
    name: 'crash-flag',
    summary: 'faults.crashAt: the process kills itself once (the restarted one does not)',
    fault: { kind: 'flags', flags: { crashAt: 'now' } },
    defaultTarget: 'member-1', defaultDurationMs: 10_000,
    verify: { target: 'member-1', durationMs: 6000 },
    alert: { rule: 'BrewopsInstanceDown', for: '15s', check: 'no', note: notFastEnough('15s', 'the controller has it restarted in ~5 s') },
    actions: ['reroute', 'restart', 'reinstate'],
    actionNote: 'as instance-crash; the restarted process reads the same stamp and stays up.',
    recoveryBoundMs: 20_000,
  },
  {
    name: 'request-hang',
    summary: 'faults.hang: requests (and readiness probes) accepted but never answered',
    fault: { kind: 'flags', flags: { hang: true } },
    defaultTarget: 'member-2', defaultDurationMs: 10_000,
    verify: { target: 'member-2', durationMs: 2500 },
    alert: { rule: null, for: null, check: 'no', note: 'no rule sees it: /metrics still answers (up = 1) and hung requests never complete, so no latency is recorded' },
    actions: ['reroute', 'reinstate'],
    actionNote: '3 probes time out → reroute; answers again → reinstate (longer than ~2 s: a restart first, which does not help while the flag is set).',
    recoveryBoundMs: 15_000,
  },
  {
    name: 'error-storm',
    summary: 'faults.errorRatio = 1: every request (readiness included) answers 500',
    fault: { kind: 'flags', flags: { errorRatio: 1 } },
    defaultTarget: 'member-1', defaultDurationMs: 10_000,
    verify: { target: 'member-1', durationMs: 2500 },
    alert: { rule: 'BrewopsHighErrorRatio', for: '1m', check: 'no', note: notFastEnough('1m', 'and it needs > 0.2 req/s of traffic on the instance') },
    actions: ['reroute', 'reinstate'],
    actionNote: '3 failed probes (500) → reroute; ready again → reinstate (longer than ~2 s: a restart first).',
    recoveryBoundMs: 15_000,
  },
  {
    name: 'slow-responses',
    summary: 'faults.latencyMs = 1000 on every request (above the 300 ms probe timeout)',
    fault: { kind: 'flags', flags: { latencyMs: 1000 } },
    defaultTarget: 'member-2', defaultDurationMs: 10_000,
    verify: { target: 'member-2', durationMs: 2500 },
    alert: { rule: 'BrewopsHighLatencyP99', for: '5m', check: 'no', note: notFastEnough('5m', 'p99 > 1 s over 5 minutes') },
    actions: ['reroute', 'reinstate'],
    actionNote: 'probes time out → reroute; fast again → reinstate (longer than ~2 s: a restart first).',
    recoveryBoundMs: 15_000,
  },
  {
    name: 'memory-growth',
    summary: 'faults.memoryGrowthMbPerSec = 20 up to memoryCapMb = 64, released when cleared',
    fault: { kind: 'flags', flags: { memoryGrowthMbPerSec: 20, memoryCapMb: 64 } },
    defaultTarget: 'member-2', defaultDurationMs: 10_000,
    verify: { target: 'member-2', durationMs: 4000 },
    alert: { rule: null, for: null, check: 'no', note: 'no rule on process memory in alert-rules/ (process_resident_memory_bytes is scraped)' },
    actions: [],
    actionNote: 'the instance stays ready: no action.',
    recoveryBoundMs: 10_000,
  },
  {
    name: 'cpu-burn',
    summary: 'faults.cpuBurnRatio = 0.5: half of every 100 ms busy on the event loop',
    fault: { kind: 'flags', flags: { cpuBurnRatio: 0.5 } },
    defaultTarget: 'member-1', defaultDurationMs: 10_000,
    verify: { target: 'member-2', durationMs: 4000 },
    alert: { rule: null, for: null, check: 'no', note: 'no rule on CPU or event-loop lag in alert-rules/' },
    actions: [],
    actionNote: 'probes still answer within 300 ms: no action.',
    recoveryBoundMs: 10_000,
  },
  {
    name: 'broker-disconnect',
    summary: "faults.brokerDisconnect: the instance's RabbitMQ connection dropped and held down",
    fault: { kind: 'flags', flags: { brokerDisconnect: true } },
    defaultTarget: 'member-2', defaultDurationMs: 10_000,
    verify: { target: 'member-2', durationMs: 3000 },
    alert: { rule: null, for: null, check: 'no', note: 'no per-instance rule: log lines are buffered and shipped on reconnect' },
    actions: [],
    actionNote: 'member does not need the broker to be ready: no action (a messaging service turns unready; with one instance the controller does not reroute the last healthy one).',
    recoveryBoundMs: 10_000,
  },
  {
    name: 'zipkin-down',
    summary: 'Zipkin killed (kill -9), then started again',
    fault: { kind: 'backend', backend: 'zipkin' },
    defaultTarget: 'zipkin', defaultDurationMs: 15_000,
    verify: { target: 'zipkin', durationMs: 10_000 },
    alert: { rule: 'BrewopsZipkinDown', for: '30s', check: 'pending', note: 'pending within ~10 s (5 s scrape + 5 s evaluation); firing only after 30 s' },
    actions: [],
    actionNote: 'spans are dropped, requests unaffected: no action.',
    recoveryBoundMs: 90_000,
  },
  {
    name: 'search-down',
    summary: 'the search backend (OpenSearch) killed (kill -9), then started again',
    fault: { kind: 'backend', backend: 'opensearch' },
    defaultTarget: 'opensearch', defaultDurationMs: 15_000,
    verify: { target: 'opensearch', durationMs: 10_000 },
    alert: { rule: 'BrewopsSearchBackendDown', for: '30s', check: 'pending', note: 'pending within ~10 s; firing only after 30 s' },
    actions: [],
    actionNote: 'log lines wait in RabbitMQ, the collector retries: no action.',
    recoveryBoundMs: 150_000,
  },
  {
    name: 'etcd-down',
    summary: 'etcd killed (kill -9), then started again',
    fault: { kind: 'backend', backend: 'etcd' },
    defaultTarget: 'etcd', defaultDurationMs: 10_000,
    verify: { target: 'etcd', durationMs: 8000 },
    alert: { rule: 'BrewopsEtcdDown', for: '30s', check: 'pending', note: 'pending within ~10 s; firing only after 30 s' },
    actions: [],
    actionNote: 'instances keep their last view and config and re-register when etcd is back: no action.',
    recoveryBoundMs: 30_000,
  },
  {
    name: 'rabbitmq-down',
    summary: 'RabbitMQ killed (kill -9), then started again (only one brewops started itself)',
    fault: { kind: 'backend', backend: 'rabbitmq' },
    defaultTarget: 'rabbitmq', defaultDurationMs: 10_000,
    verify: { target: 'rabbitmq', durationMs: 8000 },
    alert: { rule: 'BrewopsRabbitMQDown', for: '30s', check: 'pending', note: 'pending within ~10 s; firing only after 30 s' },
    actions: [],
    actionNote: 'messaging services turn unready; each is the last healthy instance of its service, so none is rerouted.',
    recoveryBoundMs: 60_000,
  },
];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

/** "reroute → restart → reinstate", or "none". */
export function actionText(actions: readonly string[]): string {
  return actions.length === 0 ? 'none' : actions.join(' → ');
}
