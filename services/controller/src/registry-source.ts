import type { Discovery, InstanceInfo, ServiceWatch } from '@brewops/platform';

export interface RegistryListener {
  /** An instance registered (first time, or again after its lease was lost, maybe on a new port). */
  registered(info: InstanceInfo): void;
  /** An instance's key vanished from etcd: its lease expired or was revoked. */
  leaseLost(service: string, instanceId: string): void;
}

interface LoggerLike {
  warn(obj: object, msg?: string): void;
}

/**
 * Follows every service in the registry: a periodic list finds services, an etcd watch per
 * service reports registrations and lease losses within milliseconds. Remembers the last
 * address of every instance it saw, so a vanished instance can still be probed and restarted.
 */
export class RegistrySource {
  private readonly watches = new Map<string, ServiceWatch>();
  private readonly present = new Map<string, Set<string>>();
  private readonly known = new Map<string, InstanceInfo>();
  private readonly overrides = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly discovery: Discovery,
    private readonly ignore: () => readonly string[],
    private readonly listener: RegistryListener,
    private readonly logger: LoggerLike,
  ) {}

  /** Last known registration of an instance. */
  info(service: string, instanceId: string): InstanceInfo | undefined {
    return this.known.get(`${service}/${instanceId}`);
  }

  /** The override key's value (`OUT_OF_SERVICE`) of a registered instance, or null. */
  override(service: string, instanceId: string): string | null {
    return this.overrides.get(`${service}/${instanceId}`) ?? null;
  }

  async start(resyncMs = 1000): Promise<void> {
    await this.resync();
    this.timer = setInterval(() => void this.resync(), resyncMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all([...this.watches.values()].map((w) => w.close()));
  }

  private async resync(): Promise<void> {
    let services: string[];
    try {
      services = [...new Set((await this.discovery.list()).map((i) => i.service))];
    } catch (err) {
      this.logger.warn({ err }, 'controller: registry list failed');
      return;
    }
    for (const service of services) {
      if (this.closed || this.watches.has(service) || this.ignore().includes(service)) continue;
      try {
        const w = await this.discovery.watch(service);
        if (this.closed) { await w.close(); return; }
        this.watches.set(service, w);
        w.on('change', () => this.diff(service, w));
        this.diff(service, w);
      } catch (err) {
        this.logger.warn({ err, service }, 'controller: cannot watch service');
      }
    }
  }

  private diff(service: string, w: ServiceWatch): void {
    const before = this.present.get(service) ?? new Set<string>();
    const now = new Set<string>();
    for (const info of w.all()) {
      now.add(info.instanceId);
      const key = `${service}/${info.instanceId}`;
      const prev = this.known.get(key);
      const { override, ...plain } = info;
      this.known.set(key, plain);
      if (override === null) this.overrides.delete(key);
      else this.overrides.set(key, override);
      if (!before.has(info.instanceId) || prev?.registeredAt !== info.registeredAt) this.listener.registered(plain);
    }
    this.present.set(service, now);
    for (const id of before) if (!now.has(id)) this.listener.leaseLost(service, id);
  }
}
