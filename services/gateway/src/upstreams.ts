import { ServiceClient, upstreamPolicyFrom, type ServiceRuntime } from '@brewops/platform';
import type { GatewayConfig } from './config.js';

/**
 * One load-balancing client per public service, created on first use over a discovery watch,
 * measured in the gateway's registry, closed at shutdown. Its call policy is the gateway config's
 * `upstreams.<service>` entry, read per request (a pushed change applies to the next request);
 * without an entry, `GATEWAY_UPSTREAM_TIMEOUT_MS` and the client's defaults.
 */
export class Upstreams {
  private readonly clients = new Map<string, Promise<ServiceClient>>();
  /** The clients whose watch is up, for a lookup without awaiting a settled promise (a microtask per request). */
  private readonly ready = new Map<string, ServiceClient>();

  constructor(private readonly rt: ServiceRuntime, private readonly cfg: GatewayConfig) {}

  /** The client of `service` if it is already created. */
  current(service: string): ServiceClient | undefined {
    return this.ready.get(service);
  }

  get(service: string): Promise<ServiceClient> {
    let c = this.clients.get(service);
    if (c === undefined) {
      c = this.rt.discovery.watch(service).then((watch) => {
        const client = new ServiceClient(watch, {
          service,
          timeoutMs: this.cfg.upstreamTimeoutMs,
          policy: upstreamPolicyFrom(this.rt.config, service),
          registry: this.rt.metrics.registry,
          logger: this.rt.logger,
        });
        this.rt.lifecycle.onShutdown(`upstream:${service}`, async () => {
          this.ready.delete(service);
          await watch.close();
          await client.close();
        }, 'deregister');
        this.ready.set(service, client);
        return client;
      });
      // a failed watch (etcd down) is not cached: the next request tries again
      c.catch(() => this.clients.delete(service));
      this.clients.set(service, c);
    }
    return c;
  }
}
