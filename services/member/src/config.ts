import { z } from '@brewops/platform';

/**
 * member's own config keys, on top of the platform's (logLevel, faults, upstreams, ...).
 * Layers: config/services/member.yaml; applied live, no restart.
 */
export const configShape = {
  /** `cache-control: max-age` on member lookups, seconds; 0 sends `no-store`. @default 0 */
  cacheMaxAgeSeconds: z.number().int().min(0).max(3600).default(0),
};

export interface MemberConfig {
  readonly cacheMaxAgeSeconds: number;
}
