import type { Campaign, Etcd3 } from 'etcd3';
import { createEtcdClient } from '@brewops/platform';

const REROUTED_PREFIX = '/brewops/controller/rerouted/';

interface LoggerLike {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface LeadershipOptions {
  readonly hosts: readonly string[];
  /** This replica's identity (its instance ID), the value campaigned with. */
  readonly id: string;
  readonly logger: LoggerLike;
  /** Election name in etcd (`election/<name>/…` keys). @default brewops-controller */
  readonly name?: string;
  /** Lease TTL: how long a dead leader keeps the role, s. @default 3 */
  readonly ttlSeconds?: number;
  /** Called on every change of this replica's role. */
  readonly onChange: (leader: boolean) => void;
}

/**
 * One acting controller among replicas: an etcd election (etcd3's Campaign, on a lease with a
 * short TTL). Only the elected replica acts; the others wait and take over when the leader's
 * lease ends (it stopped, crashed or lost etcd). A failed campaign (lease lost, etcd down) drops
 * the role at once and campaigns again after a pause.
 */
export class Leadership {
  private readonly client: Etcd3;
  private campaign: Campaign | undefined;
  private leader = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly opts: LeadershipOptions) {
    // back within about a second of etcd: with etcd3's defaults (a 5 s breaker, watch retries growing to
    // 30 s) it was elected again only ~4 s after etcd returned from a 10 s outage
    this.client = createEtcdClient(opts.hosts, 2000);
  }

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    if (this.stopped) return;
    const election = this.client.election(this.opts.name ?? 'brewops-controller', this.opts.ttlSeconds ?? 3);
    const campaign = election.campaign(this.opts.id);
    this.campaign = campaign;
    campaign.on('elected', () => {
      if (this.campaign !== campaign) return;
      this.opts.logger.info({ id: this.opts.id }, 'controller: elected leader; acting');
      this.set(true);
    });
    campaign.on('error', (err: Error) => {
      if (this.campaign !== campaign || this.stopped) return;
      this.opts.logger.warn({ err, id: this.opts.id }, 'controller: campaign failed (lease lost or etcd unreachable); not acting, campaigning again');
      this.set(false);
      this.campaign = undefined;
      this.retry = setTimeout(() => this.start(), 1000);
    });
  }

  /**
   * Overrides the acting controller wrote, kept in etcd (`/brewops/controller/rerouted/<svc>/<id>`)
   * so that a successor adopts them instead of taking them for an operator's.
   */
  async markRerouted(service: string, instanceId: string, rerouted: boolean): Promise<void> {
    const key = `${REROUTED_PREFIX}${service}/${instanceId}`;
    if (rerouted) await this.client.put(key).value(this.opts.id).exec();
    else await this.client.delete().key(key).exec();
  }

  async reroutedByController(): Promise<Array<{ service: string; instanceId: string }>> {
    const res = await this.client.getAll().prefix(REROUTED_PREFIX).keys();
    return res.map((k) => k.slice(REROUTED_PREFIX.length).split('/')).filter((p) => p.length === 2).map(([service, instanceId]) => ({ service: service!, instanceId: instanceId! }));
  }

  /** The current leader's ID, or undefined (none, or etcd unreachable). */
  async current(): Promise<string | undefined> {
    return this.client.election(this.opts.name ?? 'brewops-controller').leader().catch(() => undefined);
  }

  /** Resigns (a successor takes over at once, not after the TTL) and closes the client. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.set(false);
    await this.campaign?.resign().catch(() => undefined);
    this.client.close();
  }

  private set(leader: boolean): void {
    if (this.leader === leader) return;
    this.leader = leader;
    this.opts.onChange(leader);
  }
}
