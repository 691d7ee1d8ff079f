export { ConfigError, isConfigError } from './errors.js';
export type { ConfigErrorCode, ConfigIssue } from './errors.js';
export {
  faultsSchema,
  platformConfigSchema,
  platformConfigShape,
  rateLimitSchema,
  secretRefSchema,
  serviceConfigSchema,
  toConfigIssues,
  upstreamSchema,
  validateConfig,
} from './schema.js';
export type { FaultsConfig, PlatformConfig, RateLimitConfig, SecretRef, ServiceConfigSchema, ServiceConfigShape, UpstreamConfig, Validation } from './schema.js';
export { parseDocument, sameContent, serializeDocument } from './document.js';
export type { ConfigDocument, StoredConfig } from './document.js';
export { ConfigStore, createConfigEtcdClient } from './store.js';
export type { ConfigStoreOptions } from './store.js';
export { LiveConfig } from './live-config.js';
export type { AppliedConfig, ConfigOrigin, LiveConfigEvents } from './live-config.js';
export { ConfigWatch } from './config-watch.js';
export type { ConfigWatchOptions } from './config-watch.js';
export { createConfigMetrics } from './metrics.js';
export type { ConfigMetrics, RefusalReason } from './metrics.js';
export { loadLocalCopy, localCopyFile, saveLocalCopy } from './local-copy.js';
export type { LocalCopy } from './local-copy.js';
export { resolveSecret } from './secrets.js';
export type { SecretSources } from './secrets.js';
