import type Router from '@koa/router';
import type Koa from 'koa';
import type { RuntimeEnv } from '../env.js';
import type { Logger } from '../log/index.js';
import type { Metrics } from '../metrics/index.js';
import type { Readiness, Lifecycle } from '../http/index.js';
import type { Messaging } from '../messaging/index.js';
import type { Discovery } from '../discovery/index.js';
import type { ServiceClient } from '../client/index.js';
import type { LiveConfig, ServiceConfigShape } from '../config/index.js';

/** What a service declares; `startService` builds everything else. */
export interface ServiceSpec {
  /** Service name; `BREWOPS_SERVICE` overrides it only in tests. */
  readonly name: string;
  /** Port when `PORT` is unset. @default 0 (a free port, registered in discovery) */
  readonly defaultPort?: number;
  /**
   * Serve `/health/*` and `/metrics` on a listener of their own at this port on 127.0.0.1 (0: a
   * free port) instead of on the service port, and register THAT port in discovery (`port`, so
   * Prometheus, the supervisor and the controller reach it) with the service port as
   * `publicPort`. The service's own app then answers those paths itself (the gateway: JSON 404).
   * @default none (one listener serves everything)
   */
  readonly adminPort?: number;
  /** Request body limit. @default '1mb' */
  readonly bodyLimit?: string;
  /** Connects to RabbitMQ; readiness then requires the connection. @default false */
  readonly messaging?: boolean;
  /**
   * The service's own config keys (zod shape, with defaults and docs), added to the platform's
   * (logLevel, faults, upstreams, ...). Unknown keys are refused. @default none
   */
  readonly config?: ServiceConfigShape;
  /** Declares the HTTP routes. */
  routes?(router: Router, runtime: ServiceRuntime): void;
  /** Runs after the HTTP server listens and before the instance registers: topology, consumers. */
  start?(runtime: ServiceRuntime): Promise<void>;
}

export interface ServiceRuntime {
  readonly env: RuntimeEnv;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  readonly lifecycle: Lifecycle;
  readonly discovery: Discovery;
  /** The live central config (validated, swapped atomically on every change); read `config.current` per use. */
  readonly config: LiveConfig;
  readonly app: Koa;
  /** Present when the spec asked for messaging. */
  readonly messaging: Messaging | undefined;
  /** Port the HTTP server listens on (the registered one, unless there is an admin port). */
  readonly port: number;
  /** Port of the admin listener (`/health/*`, `/metrics`; the registered one) when the spec asked for one. */
  readonly adminPort: number | undefined;
  /** A client for another service, over its live instances (cached per service). */
  client(service: string): Promise<ServiceClient>;
}
