import { parseInstanceInfo, parseKey, parseOverride } from './keys.js';
import type { InstanceInfo, InstanceOverride, InstanceStatus } from './types.js';

const byKey = ([a]: [string, unknown], [b]: [string, unknown]): number => (a < b ? -1 : a > b ? 1 : 0);

/** One key-value as read from etcd. */
export interface RegistryKv {
  readonly key: string;
  readonly value: string;
  /** etcd `mod_revision` (for a delete event: the revision of the delete). */
  readonly modRevision: number;
}

/**
 * The registry as seen from etcd keys: instances and their overrides, built from a snapshot
 * (a range read at revision R) plus watch events after R. Pure: no I/O, so the override
 * filtering and the revision rules are testable over a fake key set.
 */
export class RegistryView {
  private readonly instanceMap = new Map<string, InstanceInfo>();
  private readonly overrideMap = new Map<string, InstanceOverride>();
  private snapshotRevision = 0;
  private allCache: readonly InstanceStatus[] | undefined;
  private liveCache: readonly InstanceInfo[] | undefined;

  /** Replaces everything with a snapshot taken at `revision`. Returns whether anything changed. */
  applySnapshot(kvs: Iterable<RegistryKv>, revision: number): boolean {
    const before = this.fingerprint();
    this.instanceMap.clear();
    this.overrideMap.clear();
    this.snapshotRevision = revision;
    for (const kv of kvs) this.set(kv);
    this.invalidate();
    return this.fingerprint() !== before;
  }

  /** Applies a put; events the snapshot already covers (`modRevision <= snapshot`) are ignored. */
  applyPut(kv: RegistryKv): boolean {
    if (kv.modRevision <= this.snapshotRevision) return false;
    const changed = this.set(kv);
    if (changed) this.invalidate();
    return changed;
  }

  applyDelete(key: string, modRevision: number): boolean {
    if (modRevision <= this.snapshotRevision) return false;
    const parsed = parseKey(key);
    if (parsed === undefined) return false;
    const id = `${parsed.service}/${parsed.instanceId}`;
    const changed = parsed.kind === 'instance' ? this.instanceMap.delete(id) : this.overrideMap.delete(id);
    if (changed) this.invalidate();
    return changed;
  }

  /** Every registered instance with its override, sorted by service then instance ID. */
  all(): readonly InstanceStatus[] {
    this.allCache ??= [...this.instanceMap.entries()]
      .sort(byKey)
      .map(([id, info]) => ({ ...info, override: this.overrideMap.get(id) ?? null }));
    return this.allCache;
  }

  /** Instances that take traffic: registered (lease alive) and not `OUT_OF_SERVICE`. */
  live(): readonly InstanceInfo[] {
    this.liveCache ??= this.all()
      .filter((s) => s.override === null)
      .map(({ override: _override, ...info }) => info);
    return this.liveCache;
  }

  private set(kv: RegistryKv): boolean {
    const parsed = parseKey(kv.key);
    if (parsed === undefined) return false;
    const id = `${parsed.service}/${parsed.instanceId}`;
    if (parsed.kind === 'override') {
      const override = parseOverride(kv.value);
      const prev = this.overrideMap.get(id) ?? null;
      if (override === null) this.overrideMap.delete(id);
      else this.overrideMap.set(id, override);
      return prev !== override;
    }
    const info = parseInstanceInfo(kv.value, parsed);
    const prev = this.instanceMap.get(id);
    if (info === undefined) return this.instanceMap.delete(id); // malformed value: not routable
    this.instanceMap.set(id, info);
    return prev === undefined || JSON.stringify(prev) !== JSON.stringify(info);
  }

  private invalidate(): void {
    this.allCache = undefined;
    this.liveCache = undefined;
  }

  private fingerprint(): string {
    return JSON.stringify([[...this.instanceMap].sort(byKey), [...this.overrideMap].sort(byKey)]);
  }
}
