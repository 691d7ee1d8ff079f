import { EventEmitter } from 'node:events';
import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from 'etcd3';
import { cancellableDelay, reconnectBackoff } from '../util/backoff.js';
import { DiscoveryError } from './errors.js';
import type { EtcdHealth } from './health.js';
import { servicePrefix } from './keys.js';
import { RegistryView } from './registry-view.js';
import type { RegistryKv } from './registry-view.js';
import type { InstanceInfo, InstanceStatus, LoggerLike, ServiceWatchEvents } from './types.js';

export interface WatchDeps {
  readonly client: Etcd3;
  readonly health: EtcdHealth;
  readonly logger: LoggerLike;
  readonly onClosed: (w: ServiceWatch) => void;
}

const MIN_RETRY_MS = 100;
const MAX_RETRY_MS = 2000;

export function toRegistryKv(kv: IKeyValue): RegistryKv {
  return { key: kv.key.toString('utf8'), value: kv.value.toString('utf8'), modRevision: Number(kv.mod_revision) };
}

/**
 * The live instances of one service: a range read at revision R, then an etcd watch from R+1, so
 * no change falls in between. After any watch disconnect (etcd restarted, partition) the
 * watcher is replaced by a fresh read + watch: the state is re-synced even if etcd lost or
 * compacted the history meanwhile.
 */
export class ServiceWatch extends EventEmitter<ServiceWatchEvents> {
  private readonly view = new RegistryView();
  private readonly prefix: string;
  private watcher: Watcher | undefined;
  private closed = false;
  private resyncing = false;
  private wait: { cancel(): void } | undefined;

  constructor(
    readonly service: string,
    private readonly deps: WatchDeps,
  ) {
    super();
    this.prefix = servicePrefix(service);
  }

  /** Instances that take traffic: lease alive and not `OUT_OF_SERVICE`. Cached between changes. */
  instances(): readonly InstanceInfo[] {
    return this.view.live();
  }

  /** Every registered instance with its override. */
  all(): readonly InstanceStatus[] {
    return this.view.all();
  }

  /** First read and watch; rejects with `etcd_unavailable` if etcd does not answer within `timeoutMs`. */
  async start(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no watch stream after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.session(), timeout]);
    } catch (err) {
      throw new DiscoveryError('etcd_unavailable', `cannot watch service "${this.service}": ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wait?.cancel();
    const w = this.watcher;
    this.watcher = undefined;
    this.deps.onClosed(this);
    if (w) await w.cancel().catch(() => undefined);
  }

  /** Reads the prefix at revision R, then watches from R+1 with a new watcher. */
  private async session(): Promise<void> {
    const res = await this.deps.health.track(this.deps.client.getAll().prefix(this.prefix).exec());
    if (this.closed) return;
    const revision = Number(res.header.revision);
    if (this.view.applySnapshot(res.kvs.map(toRegistryKv), revision)) this.changed();
    const w = this.deps.client.watch().prefix(this.prefix).startRevision(String(revision + 1)).watcher();
    this.watcher = w;
    let disconnected = false;
    w.on('data', (r: IWatchResponse) => {
      if (this.watcher === w) this.apply(r);
    });
    w.on('disconnected', (err: unknown) => {
      disconnected = true;
      this.deps.health.failed(err);
      if (this.watcher === w) this.deps.logger.debug({ err, service: this.service }, 'discovery: watch stream lost');
    });
    w.on('connected', () => {
      this.deps.health.ok();
      // the watch manager resumed the stream; re-read everything rather than trust the history
      if (disconnected && this.watcher === w) void this.resync();
    });
    w.on('error', (err: unknown) => {
      // e.g. the start revision was compacted: the watch is cancelled, start over
      if (this.watcher !== w) return;
      this.deps.logger.warn({ err, service: this.service }, 'discovery: watch cancelled by etcd; re-syncing');
      void this.resync();
    });
    await new Promise<void>((resolve, reject) => {
      const onConnected = (): void => {
        w.off('error', onError);
        resolve();
      };
      const onError = (err: unknown): void => {
        w.off('connected', onConnected);
        reject(err);
      };
      w.once('connected', onConnected);
      w.once('error', onError);
    });
  }

  private apply(res: IWatchResponse): void {
    let changed = false;
    for (const ev of res.events) {
      const kv = toRegistryKv(ev.kv);
      changed = (ev.type === 'Put' ? this.view.applyPut(kv) : this.view.applyDelete(kv.key, kv.modRevision)) || changed;
    }
    if (changed) this.changed();
  }

  private async resync(): Promise<void> {
    if (this.resyncing || this.closed) return;
    this.resyncing = true;
    const old = this.watcher;
    this.watcher = undefined;
    if (old) void old.cancel().catch(() => undefined);
    const backoff = reconnectBackoff(MIN_RETRY_MS, MAX_RETRY_MS);
    try {
      while (!this.closed) {
        try {
          await this.session();
          this.deps.logger.info({ service: this.service, instances: this.view.live().length }, 'discovery: watch re-synced');
          return;
        } catch (err) {
          const w = this.watcher as Watcher | undefined; // session() may have set it before failing
          this.watcher = undefined;
          if (w) void w.cancel().catch(() => undefined);
          const delayMs = backoff.next();
          this.deps.logger.debug({ err, service: this.service, delayMs }, 'discovery: re-sync failed; retrying');
          const wait = cancellableDelay(delayMs);
          this.wait = wait;
          await wait.promise;
        }
      }
    } finally {
      this.resyncing = false;
    }
  }

  private changed(): void {
    if (this.listenerCount('change') > 0) this.emit('change');
  }
}
