import type { InstanceInfo } from '../discovery/types.js';

/** Anything that knows the live instances of one service (a discovery ServiceWatch, or a fixed list in tests). */
export interface InstanceSource {
  instances(): readonly InstanceInfo[];
}

export interface ServiceClientOptions {
  /** Name of the upstream service, for errors and logs. */
  readonly service: string;
  /** Per-attempt timeout in ms. @default 2000 */
  readonly timeoutMs?: number;
  /** Extra attempts on another instance for idempotent methods after a connection failure. @default 1 */
  readonly retries?: number;
}

export interface UpstreamRequest {
  readonly method: string;
  /** Path and query, starting with `/`. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  /** Sent as JSON when not a string/Buffer. */
  readonly body?: unknown;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the upstream sent JSON, else the text. */
  readonly body: unknown;
  /** Instance that answered. */
  readonly instanceId: string;
}
