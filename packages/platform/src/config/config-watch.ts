import type { Etcd3, IWatchResponse, Watcher } from 'etcd3';
import { cancellableDelay, reconnectBackoff } from '../util/backoff.js';
import { configKey } from '../semconv.js';
import { parseDocument } from './document.js';
import { isConfigError } from './errors.js';
import type { LiveConfig } from './live-config.js';
import { loadLocalCopy, saveLocalCopy } from './local-copy.js';
import type { PlatformConfig } from './schema.js';

interface LoggerLike {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface ConfigWatchOptions {
  readonly client: Etcd3;
  readonly service: string;
  readonly live: LiveConfig<PlatformConfig>;
  readonly logger: LoggerLike;
  /** File of the last good copy (see localCopyFile). */
  readonly localCopyFile: string;
  /** How long boot waits for etcd before falling back to the local copy, ms. @default 3000 */
  readonly bootTimeoutMs?: number;
}

const MIN_RETRY_MS = 100;
const MAX_RETRY_MS = 2000;

/**
 * Keeps a LiveConfig in step with `/brewops/config/<service>`: a read at revision R, then a watch
 * from R+1. When etcd is unreachable at boot the last good local copy is applied (with a warning)
 * and the read is retried in the background; after any watch disconnect the key is re-read, so
 * changes made while etcd was away (or while this instance was cut off) are caught up.
 */
export class ConfigWatch {
  private watcher: Watcher | undefined;
  private lastSeen = -1;
  private closed = false;
  private syncing = false;
  private wait: { cancel(): void } | undefined;
  /** The boot read, which may still be in flight after the boot timeout. */
  private boot: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ConfigWatchOptions) {}

  /** Applies the config from etcd, else from the local copy, else the defaults; never throws. */
  async start(): Promise<void> {
    const timeoutMs = this.opts.bootTimeoutMs ?? 3000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`etcd did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const first = this.session();
    this.boot = first.catch(() => undefined);
    try {
      await Promise.race([first, timeout]);
      return;
    } catch (err) {
      const copy = await loadLocalCopy(this.opts.localCopyFile);
      const fields = { err, 'config.file': this.opts.localCopyFile };
      if (copy && this.opts.live.apply(copy.config, copy.revision, 'local-copy')) {
        this.opts.logger.warn({ ...fields, 'config.revision': copy.revision }, `config: etcd unreachable at boot; running on the last good local copy (revision ${copy.revision}) until it returns`);
      } else {
        this.opts.logger.warn(fields, 'config: etcd unreachable at boot and no usable local copy; running on schema defaults until it returns');
      }
      void this.resync();
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wait?.cancel();
    const w = this.watcher;
    this.watcher = undefined;
    if (w) await w.cancel().catch(() => undefined);
  }

  private async session(): Promise<void> {
    const key = configKey(this.opts.service);
    const res = await this.opts.client.get(key).exec();
    if (this.closed) return;
    const kv = res.kvs[0];
    if (kv) this.consider(kv.value.toString('utf8'), Number(kv.mod_revision));
    else if (this.lastSeen === -1) this.opts.logger.info({}, 'config: nothing pushed for this service yet; running on schema defaults');
    if (this.watcher) return; // a re-read after reconnect: the watch resumed by itself
    const w = this.opts.client.watch().key(key).startRevision(String(Number(res.header.revision) + 1)).watcher();
    this.watcher = w;
    let disconnected = false;
    w.on('data', (r: IWatchResponse) => {
      for (const ev of r.events) {
        if (ev.type === 'Put') this.consider(ev.kv.value.toString('utf8'), Number(ev.kv.mod_revision));
        else this.opts.logger.warn({ 'config.revision': Number(ev.kv.mod_revision) }, 'config: key deleted in etcd; keeping the applied config');
      }
    });
    w.on('disconnected', () => {
      disconnected = true;
    });
    w.on('connected', () => {
      if (!disconnected) return;
      disconnected = false;
      void this.resync();
    });
    w.on('error', (err: unknown) => {
      this.opts.logger.warn({ err }, 'config: watch cancelled by etcd; re-watching');
      if (this.watcher === w) this.watcher = undefined;
      void w.cancel().catch(() => undefined);
      void this.resync();
    });
  }

  /** Re-reads (and re-watches if needed) until etcd answers. */
  private async resync(): Promise<void> {
    if (this.syncing || this.closed) return;
    this.syncing = true;
    await this.boot;
    const backoff = reconnectBackoff(MIN_RETRY_MS, MAX_RETRY_MS);
    try {
      while (!this.closed) {
        try {
          await this.session();
          this.opts.logger.info({ 'config.revision': this.opts.live.revision }, 'config: in step with etcd again');
          return;
        } catch (err) {
          const delayMs = backoff.next();
          this.opts.logger.debug({ err, delayMs }, 'config: etcd read failed; retrying');
          const wait = cancellableDelay(delayMs);
          this.wait = wait;
          await wait.promise;
        }
      }
    } finally {
      this.syncing = false;
    }
  }

  private consider(text: string, revision: number): void {
    if (revision === this.lastSeen) return;
    this.lastSeen = revision;
    let raw: unknown;
    try {
      raw = parseDocument(text).config;
    } catch (err) {
      if (!isConfigError(err)) throw err;
      this.opts.live.refuseDocument(err, revision);
      return;
    }
    if (!this.opts.live.apply(raw, revision, 'etcd')) return;
    saveLocalCopy(this.opts.localCopyFile, { revision, savedAt: new Date().toISOString(), config: raw }).catch((err: unknown) =>
      this.opts.logger.warn({ err, 'config.file': this.opts.localCopyFile }, 'config: could not save the local copy'),
    );
  }
}
