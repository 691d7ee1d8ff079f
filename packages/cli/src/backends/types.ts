import type { Paths } from '../paths.js';
import type { PortConfig } from '../ports.js';
import type { Readiness } from '../probe.js';
import type { TerminateResult } from '../process/pids.js';
import type { ExitInfo } from '../process/spawn.js';
import type { Progress } from '../progress.js';

// OpenSearch before Zipkin: Maven downloads run one at a time, and OpenSearch takes longest to start.
export const BACKEND_NAMES = ['rabbitmq', 'etcd', 'opensearch', 'zipkin', 'prometheus', 'alertmanager'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

/** What every backend factory gets. */
export interface BackendContext {
  readonly paths: Paths;
  readonly ports: PortConfig;
  readonly progress: Progress;
}

/** A backend process as `start` or `adopt` found it. */
export interface BackendProcess {
  /** Null when the owner of a reused server cannot be found. */
  readonly pid: number | null;
  /** False for a server brewops reuses but did not start: never stopped by brewops. */
  readonly owned: boolean;
  /** Settles if the process exits while this CLI waits for it; null when not our child. */
  readonly exited: Promise<ExitInfo> | null;
}

/** One real server that `brewops up` installs, starts, waits for and stops. */
export interface Backend {
  readonly name: BackendName;
  /** Base URL shown to users and written to state.json. */
  readonly url: string;
  /** Named ports it listens on (all on 127.0.0.1). */
  readonly ports: Readonly<Record<string, number>>;
  /** Start + readiness must finish within this. */
  readonly readyTimeoutMs: number;
  /**
   * A string in the command line of its process (an absolute path under .brewops where there
   * is one): a recorded pid whose command line lacks it was reused by something else.
   */
  readonly processMatch: string;
  /** What to tell the user when it does not become ready. */
  readonly fixHint: string;
  /** True when nothing needs downloading or installing. */
  isInstalled(): boolean;
  install(): Promise<void>;
  /** For a server brewops may reuse when one already runs (RabbitMQ): that server, else null. */
  adopt?(): Promise<BackendProcess | null>;
  start(): Promise<BackendProcess>;
  /** Called when `up` finds it already running: re-apply generated config (e.g. reload rules). */
  refresh?(): Promise<void>;
  ready(): Promise<Readiness>;
  stop(pid: number): Promise<TerminateResult>;
}
