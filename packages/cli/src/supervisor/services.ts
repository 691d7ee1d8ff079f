import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Services the supervisor runs, in start order: the collector first, so logs are shipped from the
 * start; the controller last, so it finds every other instance already registered.
 */
export const SERVICE_ORDER = ['collector', 'member', 'status', 'payment', 'barista', 'order', 'gateway', 'controller'] as const;
export type ServiceName = (typeof SERVICE_ORDER)[number];

export const DEFAULT_REPLICAS: Readonly<Record<ServiceName, number>> = {
  collector: 1,
  member: 2,
  status: 1,
  payment: 1,
  barista: 1,
  order: 1,
  gateway: 1,
  controller: 1,
};

/** The controller's fixed port: alert-rules/alertmanager.yml posts critical alerts to it. */
export const CONTROLLER_PORT = 9600;

/** Upper bound for one service's replicas on one machine. */
export const MAX_REPLICAS = 20;

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_ORDER as readonly string[]).includes(name);
}

/** Workspace directory of a service, relative to the root. */
export function serviceDir(service: ServiceName): string {
  return service === 'collector' ? 'collector' : join('services', service);
}

/** The built entry file `node` runs for a service. */
export function serviceEntry(root: string, service: ServiceName): string {
  return join(root, serviceDir(service), 'dist', 'src', 'main.js');
}

/** The OTel bootstrap every instance loads with `node --import` before its app. */
export function telemetryRegister(root: string): string {
  return join(root, 'packages', 'platform', 'dist', 'src', 'telemetry', 'register.js');
}

/** Why a service cannot be started yet, or null when its entry file is built. */
export function notBuiltReason(root: string, service: ServiceName): string | null {
  const entry = serviceEntry(root, service);
  return existsSync(entry) ? null : `${join(serviceDir(service), 'dist', 'src', 'main.js')} does not exist (not written or not built yet)`;
}
