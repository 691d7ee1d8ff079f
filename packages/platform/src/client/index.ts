export { ServiceClient } from './service-client.js';
export type { InstanceSource, ServiceClientOptions, UpstreamRequest, UpstreamResponse } from './types.js';
