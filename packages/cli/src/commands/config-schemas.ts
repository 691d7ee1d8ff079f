import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { serviceConfigSchema } from '@brewops/platform';
import type { ServiceConfigSchema, ServiceConfigShape } from '@brewops/platform';

/** A service and the schema its instances validate their config with. */
export interface ServiceSchema {
  readonly service: string;
  readonly schema: ServiceConfigSchema;
  /** Built module the service's own keys came from, or null (platform keys only). */
  readonly module: string | null;
}

/** Workspace directory of a service, relative to the root (the collector lives at the root). */
export const serviceDirOf = (service: string): string => (service === 'collector' ? 'collector' : join('services', service));

/** Every service of the repository: `collector` and each directory under `services/`. */
export function listServices(root: string): string[] {
  const dir = join(root, 'services');
  const names = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : [];
  return ['collector', ...names.sort()];
}

/**
 * The schema of one service: the platform's keys plus the `configShape` its built
 * `src/config.ts` exports (services without one get the platform keys only).
 */
export function loadServiceSchema(root: string, service: string): ServiceSchema {
  const module = join(root, serviceDirOf(service), 'dist', 'src', 'config.js');
  if (!existsSync(module)) return { service, schema: serviceConfigSchema(), module: null };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a built sibling workspace, loaded by path
  const exported = require(module) as { configShape?: ServiceConfigShape };
  if (!exported.configShape) return { service, schema: serviceConfigSchema(), module: null };
  return { service, schema: serviceConfigSchema(exported.configShape), module };
}
