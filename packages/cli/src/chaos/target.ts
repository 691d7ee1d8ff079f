import { usageError } from '../errors.js';
import type { BackendName } from '../backends/types.js';
import type { InstanceView } from '../supervisor/types.js';
import type { Scenario } from './catalog.js';

export type Target =
  | { readonly kind: 'instance'; readonly service: string; readonly instanceId: string }
  | { readonly kind: 'service'; readonly service: string; readonly instanceIds: readonly string[] }
  | { readonly kind: 'backend'; readonly backend: BackendName };

export function targetName(t: Target): string {
  return t.kind === 'instance' ? t.instanceId : t.kind === 'service' ? t.service : t.backend;
}

/** Instance ids a target covers (none for a backend). */
export function targetInstances(t: Target): readonly string[] {
  return t.kind === 'instance' ? [t.instanceId] : t.kind === 'service' ? t.instanceIds : [];
}

/**
 * The target of one run: an instance id or a service name (flag faults: the whole service; signals:
 * its first running instance) among the supervisor's instances, or the scenario's backend.
 * Anything else is a usage error listing what exists.
 */
export function resolveTarget(s: Scenario, raw: string | null, instances: readonly InstanceView[]): Target {
  if (s.fault.kind === 'backend') {
    if (raw !== null && raw !== s.fault.backend) throw usageError(`chaos ${s.name}: --target must be "${s.fault.backend}" (this scenario stops that backend), got "${raw}"`);
    return { kind: 'backend', backend: s.fault.backend };
  }
  const name = raw ?? s.defaultTarget;
  const byId = instances.find((i) => i.id === name);
  if (byId) return { kind: 'instance', service: byId.service, instanceId: byId.id };
  const members = instances.filter((i) => i.service === name);
  if (members.length > 0) {
    if (s.fault.kind === 'flags') return { kind: 'service', service: name, instanceIds: members.map((i) => i.id) };
    const running = members.find((i) => i.pid !== null && (i.state === 'ready' || i.state === 'unready')) ?? members[0]!;
    return { kind: 'instance', service: name, instanceId: running.id };
  }
  const services = [...new Set(instances.map((i) => i.service))];
  throw usageError(`chaos ${s.name}: unknown target "${name}": name a service (${services.join(', ')}) or an instance (${instances.map((i) => i.id).join(', ')})`);
}
