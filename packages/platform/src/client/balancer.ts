import type { InstanceInfo } from '../discovery/types.js';
import { Upstream, type UpstreamSettings } from './upstream.js';
import type { InstanceSource } from './types.js';

/**
 * Keeps one `Upstream` per live instance of the source (added and dropped as discovery changes,
 * so an OUT_OF_SERVICE override or a lost lease stops traffic at the next pick) and picks by
 * power of two choices on outstanding requests among the available ones.
 */
export class Balancer {
  private readonly upstreams = new Map<string, Upstream>();
  private lastList: readonly InstanceInfo[] | undefined;
  /** `upstreams` as an array, rebuilt when the source's list changes (not on every pick). */
  private all: readonly Upstream[] = [];

  constructor(
    private readonly source: InstanceSource,
    private readonly settings: UpstreamSettings,
    private readonly maxEjectionPercent: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The live instances, synced with the source (cheap when the source's list is unchanged). Do not modify. */
  live(): readonly Upstream[] {
    const list = this.source.instances();
    if (list !== this.lastList) this.sync(list);
    return this.all;
  }

  /** P2C on outstanding requests; `undefined` when no instance outside `exclude` is available. */
  pick(exclude: ReadonlySet<string>): Upstream | undefined {
    const now = Date.now();
    const all = this.live();
    // usually every instance is a candidate: no array is built for the pick then
    let candidates = all;
    for (const u of all) {
      if (exclude.has(u.id) || !u.available(now)) {
        candidates = all.filter((x) => !exclude.has(x.id) && x.available(now));
        break;
      }
    }
    if (candidates.length <= 1) return candidates[0];
    const i = Math.floor(this.random() * candidates.length);
    let j = Math.floor(this.random() * (candidates.length - 1));
    if (j >= i) j++;
    const a = candidates[i]!;
    const b = candidates[j]!;
    return b.outstanding < a.outstanding ? b : a;
  }

  /** Whether one more instance may be ejected without passing `maxEjectionPercent`. */
  mayEject(): boolean {
    const all = this.live();
    const ejected = all.filter((u) => u.isEjected).length;
    return ejected + 1 <= Math.floor((all.length * this.maxEjectionPercent) / 100);
  }

  /** Seconds until some instance may be available again (Retry-After), at least 1. */
  retryAfterSeconds(): number {
    const now = Date.now();
    const waits = this.live().map((u) => u.waitMs(now)).filter((w) => w > 0);
    return waits.length === 0 ? 1 : Math.max(1, Math.ceil(Math.min(...waits) / 1000));
  }

  async close(): Promise<void> {
    const all = [...this.upstreams.values()];
    this.upstreams.clear();
    this.all = [];
    await Promise.all(all.map((u) => u.close().catch(() => undefined)));
  }

  private sync(list: readonly InstanceInfo[]): void {
    this.lastList = list;
    const seen = new Set<string>();
    for (const info of list) {
      seen.add(info.instanceId);
      const u = this.upstreams.get(info.instanceId);
      if (u === undefined) this.upstreams.set(info.instanceId, new Upstream(info, this.settings));
      else if (u.info.host !== info.host || u.info.port !== info.port) {
        // restarted on another port: a fresh pool and fresh health
        void u.close().catch(() => undefined);
        this.upstreams.set(info.instanceId, new Upstream(info, this.settings));
      } else u.info = info;
    }
    for (const [id, u] of this.upstreams) {
      if (seen.has(id)) continue;
      this.upstreams.delete(id);
      // let in-flight requests finish; idle connections close
      void u.close().catch(() => undefined);
    }
    this.all = [...this.upstreams.values()];
  }
}
