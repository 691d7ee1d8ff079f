import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { ApiKeyStore, parseKeysFile, sha256Hex } from './api-keys.js';
import type { Principal } from './principal.js';

interface LoggerLike {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ApiKeyFileOptions {
  readonly logger: LoggerLike;
  /** How often the file's stat is compared, in case a watch event is missed (network FS, some editors), ms. @default 2000 */
  readonly pollMs?: number;
  /** Quiet time after the last watch event before the file is read (a write may come in pieces), ms. @default 100 */
  readonly debounceMs?: number;
}

/** Why a read failed, without the file's content (JSON errors may quote it: hashes, ids). */
function reasonOf(err: unknown): string {
  if (err instanceof SyntaxError) return 'not valid JSON';
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string') return `cannot read it (${code})`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * The gateway's API keys, kept in step with the keys file without a restart: the file's directory
 * is watched (so a replace by rename is seen too), events are debounced, and its stat is compared
 * every `pollMs` as a fallback. A file that cannot be read or parsed keeps the keys loaded before
 * and logs an error naming the file and the reason (never a key, a hash or the file's content).
 * At boot an unusable file is an error (the gateway does not start without its keys).
 */
export class ApiKeyFile {
  private store: ApiKeyStore;
  private digest: string;
  private signature: string;
  private watcher: FSWatcher | undefined;
  private poller: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private closed = false;

  /** Loads the file (throws when it is unusable) and starts following it. */
  constructor(readonly file: string, private readonly opts: ApiKeyFileOptions) {
    const text = readFileSync(file, 'utf8');
    this.store = new ApiKeyStore(parseKeysFile(text));
    this.digest = sha256Hex(text);
    const s = statSync(file);
    this.signature = `${s.ino}:${s.size}:${s.mtimeMs}`;
    try {
      this.watcher = watch(dirname(file), { persistent: false }, (_event, name) => {
        if (name === null || name === basename(file)) this.schedule();
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined; // the poll goes on
      });
    } catch {
      this.watcher = undefined; // no watch on this FS: the poll alone
    }
    this.poller = setInterval(() => void this.check(), opts.pollMs ?? 2000);
    this.poller.unref();
  }

  get size(): number {
    return this.store.size;
  }

  /** The principal for `key` among the keys loaded now, or a 401/403 AppError. */
  authenticate(key: string, now = Date.now()): Principal {
    return this.store.authenticate(key, now);
  }

  /** Reads the file now; resolves once the keys in force are the file's (or the old ones, on an error). */
  reload(): Promise<void> {
    if (this.reading) return this.reading.then(() => this.reload());
    this.reading = this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    clearInterval(this.poller);
    clearTimeout(this.debounce);
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.reload(), this.opts.debounceMs ?? 100);
    this.debounce.unref();
  }

  private async check(): Promise<void> {
    if (this.closed || this.reading) return;
    const s = await this.stamp();
    if (s !== this.signature) await this.reload();
  }

  /** inode, size and mtime: changes on a rewrite in place and on a replace by rename. */
  private async stamp(): Promise<string> {
    try {
      const s = await stat(this.file);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch (err) {
      return `error:${(err as NodeJS.ErrnoException).code ?? 'unknown'}`;
    }
  }

  private async read(): Promise<void> {
    if (this.closed) return;
    const signature = await this.stamp();
    let text: string;
    let store: ApiKeyStore;
    try {
      text = await readFile(this.file, 'utf8');
      store = new ApiKeyStore(parseKeysFile(text));
    } catch (err) {
      // report a broken file once, not at every poll
      if (signature !== this.signature) {
        const reason = reasonOf(err);
        this.opts.logger.error(
          { 'file.path': this.file, 'error.message': reason, keys: this.store.size },
          `gateway: API keys file ${this.file} not reloaded: ${reason}; keeping the ${this.store.size} keys loaded before`,
        );
      }
      this.signature = signature;
      return;
    }
    this.signature = signature;
    const digest = sha256Hex(text);
    if (digest === this.digest) return;
    const before = this.store.size;
    this.store = store;
    this.digest = digest;
    this.opts.logger.info({ 'file.path': this.file, keys: store.size, previousKeys: before }, `gateway: API keys reloaded from ${this.file} (${store.size} keys)`);
  }
}
