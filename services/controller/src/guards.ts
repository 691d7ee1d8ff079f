import type { SafetyConfig } from './config.js';
import type { InstanceMachine } from './state-machine.js';

/** Why an action was refused. */
export type BlockReason = 'last_healthy' | 'max_share' | 'rate_limited' | 'flagged';

export interface Peer {
  readonly key: string;
  readonly machine: InstanceMachine;
}

/**
 * Whether rerouting `key` leaves its service with a healthy instance and within the share of
 * instances allowed out at once. `peers` are all known instances of the service, `key` included.
 */
export function checkReroute(key: string, peers: readonly Peer[], safety: SafetyConfig): BlockReason | null {
  const others = peers.filter((p) => p.key !== key);
  if (!others.some((p) => p.machine.isHealthy)) return 'last_healthy';
  const outAfter = others.filter((p) => p.machine.isOut).length + 1;
  if (outAfter / peers.length > safety.maxOutShare + 1e-9) return 'max_share';
  return null;
}
