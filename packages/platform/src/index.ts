// The whole public surface of @brewops/platform. Named exports only.
export { readRuntimeEnv } from './env.js';
export type { RuntimeEnv } from './env.js';
export * as semconv from './semconv.js';
export { toHttpSd } from './discovery/http-sd.js';
export type { HttpSdTargetGroup } from './discovery/http-sd.js';
export type { InstanceInfo, InstanceOverride, InstanceStatus } from './discovery/types.js';
