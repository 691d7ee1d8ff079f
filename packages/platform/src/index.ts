// The whole public surface of @brewops/platform. Named exports only.
export { readRuntimeEnv } from './env.js';
export type { RuntimeEnv } from './env.js';
export * as semconv from './semconv.js';

export { currentCorrelationId, isValidCorrelationId, newCorrelationId, withCorrelationId } from './correlation.js';

export { disableKoaInstrumentation, getTracer, isTelemetryRegistered, shutdownTelemetry } from './telemetry/index.js';

export { createLogger, LogShipper, maskPii, maskPiiDeep, REDACTED } from './log/index.js';
export type { Logger, LoggerOptions, LogShipperOptions, PublishLines } from './log/index.js';

export { createMetrics, metricsHandler, metricsMiddleware } from './metrics/index.js';
export type { Metrics, MetricsOptions } from './metrics/index.js';

export {
  AppError,
  badRequest,
  conflict,
  createApp,
  forbidden,
  isAppError,
  Lifecycle,
  listen,
  notFound,
  Readiness,
  serviceUnavailable,
  tooManyRequests,
  unauthorized,
  unprocessable,
} from './http/index.js';
export type { AppErrorOptions, AppOptions, ErrorBody, ReadinessReport, ShutdownPhase } from './http/index.js';

export { isMessagingError, Messaging, MessagingError } from './messaging/index.js';
export type { ConsumedMessage, ConsumeOptions, ConsumerHandle, MessagingOptions, PublishOptions } from './messaging/index.js';

export { Discovery, isDiscoveryError, ServiceWatch, toHttpSd } from './discovery/index.js';
/** An etcd client that is back within about a second of etcd (discovery and the config watch use it). */
export { createEtcdClient } from './util/etcd-client.js';
export type {
  DiscoveryOptions,
  HttpSdTargetGroup,
  InstanceInfo,
  InstanceOverride,
  InstanceStatus,
  Registration,
} from './discovery/index.js';

export { policyFromUpstreamConfig, ServiceClient, upstreamPolicyFrom } from './client/index.js';
export { isServiceBreakerOpen, SERVICE_BREAKER_OPEN, ServiceBreaker } from './client/index.js';
export type { ServiceBreakerOptions } from './client/index.js';
export type { InstanceSource, ServiceClientOptions, UpstreamPolicy, UpstreamRequest, UpstreamResponse } from './client/index.js';
export { isUpstreamFailure, UpstreamFailure } from './client/index.js';
export type { StreamRequest, StreamResponse, UpstreamFailureCode } from './client/index.js';

export { isEventEnvelope, makeEvent } from './events/index.js';
export type { EventEnvelope } from './events/index.js';

export { declareEventQueue, declareEventsExchange, declareLogTopology, requestBody, startService } from './service/index.js';
export type { ServiceRuntime, ServiceSpec } from './service/index.js';

export {
  attemptOf,
  declareRetryingQueue,
  DEFAULT_RETRY,
  HEADER_ATTEMPT,
  HEADER_LAST_ERROR,
  HEADER_PARKED_REASON,
  nextHop,
  OutboxRelay,
  OutboxStore,
  parkingQueueName,
  ProcessedMessages,
  retryingHandler,
  retryQueueName,
} from './reliable/index.js';
export type { OutboxEntry, OutboxRelayOptions, OutboxRow, RetryingHandlerOptions, RetryPolicy, SqlDatabase, SqlStatement } from './reliable/index.js';

export {
  ConfigError,
  ConfigStore,
  ConfigWatch,
  LiveConfig,
  isConfigError,
  localCopyFile,
  parseDocument,
  platformConfigSchema,
  resolveSecret,
  sameContent,
  serviceConfigSchema,
  validateConfig,
} from './config/index.js';
export type {
  AppliedConfig,
  ConfigDocument,
  ConfigIssue,
  ConfigOrigin,
  FaultsConfig,
  PlatformConfig,
  RateLimitConfig,
  ServiceConfigSchema,
  ServiceConfigShape,
  StoredConfig,
  UpstreamConfig,
} from './config/index.js';
export { groupCommit, openDatabase, reliableStore } from './sqlite/index.js';
export type { GroupCommit } from './sqlite/index.js';
export type { Migration, OpenDatabaseOptions, ReliableStore, ReliableStoreOptions } from './sqlite/index.js';
export { effectiveFaults, faultMiddleware, FaultRunner } from './faults/index.js';
export type { BrokerControl, EffectiveFaults, FaultKind, FaultOptions, FaultRunnerOptions } from './faults/index.js';
/** The zod the platform validates config with; services declare their `configShape` with it. */
export { z } from 'zod';
