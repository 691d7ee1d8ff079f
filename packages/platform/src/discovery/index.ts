export { Discovery } from './discovery.js';
export { ServiceWatch } from './watch.js';
export { DiscoveryError, isDiscoveryError } from './errors.js';
export type { DiscoveryErrorCode } from './errors.js';
export { toHttpSd } from './http-sd.js';
export type { HttpSdTargetGroup } from './http-sd.js';
export type {
  DiscoveryEvents,
  DiscoveryOptions,
  InstanceInfo,
  InstanceOverride,
  InstanceStatus,
  LoggerLike,
  Registration,
  ServiceWatchEvents,
} from './types.js';
