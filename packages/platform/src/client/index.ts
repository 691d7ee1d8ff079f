export { ServiceClient } from './service-client.js';
export { isServiceBreakerOpen, SERVICE_BREAKER_OPEN, ServiceBreaker } from './service-breaker.js';
export type { ServiceBreakerOptions } from './service-breaker.js';
export { isUpstreamFailure, UpstreamFailure } from './errors.js';
export { policyFromUpstreamConfig, upstreamPolicyFrom } from './policy.js';
export type { UpstreamFailureCode } from './errors.js';
export type {
  InstanceSource,
  ServiceClientOptions,
  StreamRequest,
  StreamResponse,
  UpstreamPolicy,
  UpstreamRequest,
  UpstreamResponse,
} from './types.js';
