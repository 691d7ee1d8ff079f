import { EventEmitter } from 'node:events';
import { ConfigError } from './errors.js';
import type { ConfigIssue } from './errors.js';
import type { ConfigMetrics, RefusalReason } from './metrics.js';
import { validateConfig } from './schema.js';
import type { PlatformConfig, ServiceConfigSchema } from './schema.js';

/** Where the applied config came from. */
export type ConfigOrigin = 'defaults' | 'etcd' | 'local-copy';

export interface AppliedConfig<T> {
  readonly value: T;
  readonly revision: number;
  readonly origin: ConfigOrigin;
}

export interface LiveConfigEvents<T> {
  /** A valid change was applied; `next` is already `current`. */
  change: [next: AppliedConfig<T>, previous: AppliedConfig<T>];
  /** A change was refused; `current` is unchanged. */
  refused: [error: ConfigError, revision: number];
}

interface LoggerLike {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}

/**
 * The config an instance runs on. Every candidate is validated as a whole against the service's
 * schema; a valid one replaces `current` in one assignment (readers never see half a change), an
 * invalid one is refused: the old config stays, each bad key is logged with its reason, and
 * `brewops_config_refused_total` counts it.
 */
export class LiveConfig<T extends PlatformConfig = PlatformConfig> extends EventEmitter<LiveConfigEvents<T>> {
  private applied: AppliedConfig<T>;

  constructor(
    private readonly schema: ServiceConfigSchema,
    private readonly deps: { readonly logger: LoggerLike; readonly metrics?: ConfigMetrics; readonly service: string },
  ) {
    super();
    const defaults = validateConfig(schema, {});
    if (!defaults.ok) throw new ConfigError('invalid_config', `the schema of "${deps.service}" has no valid defaults`, defaults.issues);
    this.applied = { value: deepFreeze(defaults.value as T), revision: 0, origin: 'defaults' };
    deps.metrics?.setRevision(0);
  }

  /** The applied config (frozen). Read it per use: it is replaced on every change. */
  get current(): T {
    return this.applied.value;
  }

  get revision(): number {
    return this.applied.revision;
  }

  get origin(): ConfigOrigin {
    return this.applied.origin;
  }

  get snapshot(): AppliedConfig<T> {
    return this.applied;
  }

  /** Validates and applies `raw`; returns whether it was applied. */
  apply(raw: unknown, revision: number, origin: Exclude<ConfigOrigin, 'defaults'>): boolean {
    const result = validateConfig(this.schema, raw);
    if (!result.ok) {
      this.refuse(new ConfigError('invalid_config', 'config refused: it does not match the schema', result.issues), revision, 'invalid_config');
      return false;
    }
    const previous = this.applied;
    this.applied = { value: deepFreeze(result.value as T), revision, origin };
    this.deps.metrics?.setRevision(revision);
    this.deps.logger.info({ 'config.revision': revision, 'config.origin': origin, 'config.previous_revision': previous.revision }, 'config applied');
    this.emit('change', this.applied, previous);
    return true;
  }

  /** Records a change that could not even be read as a config document. */
  refuseDocument(error: ConfigError, revision: number): void {
    this.refuse(error, revision, 'invalid_document');
  }

  private refuse(error: ConfigError, revision: number, reason: RefusalReason): void {
    this.deps.metrics?.refused(reason);
    const issues: readonly ConfigIssue[] = error.issues.length ? error.issues : [{ path: '(document)', reason: error.message }];
    for (const issue of issues) {
      this.deps.logger.error(
        { 'config.key': issue.path, 'config.reason': issue.reason, 'config.revision': revision, 'config.applied_revision': this.applied.revision, 'error.code': error.code },
        `config refused: ${issue.path}: ${issue.reason}; keeping revision ${this.applied.revision}`,
      );
    }
    this.emit('refused', error, revision);
  }
}
