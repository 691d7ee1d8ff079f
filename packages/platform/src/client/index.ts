export { ServiceClient } from './service-client.js';
export { isUpstreamFailure, UpstreamFailure } from './errors.js';
export type { UpstreamFailureCode } from './errors.js';
export type {
  InstanceSource,
  ServiceClientOptions,
  StreamRequest,
  StreamResponse,
  UpstreamRequest,
  UpstreamResponse,
} from './types.js';
