export { effectiveFaults, faultCounter } from './effective.js';
export type { EffectiveFaults, FaultCounter, FaultKind } from './effective.js';
export { faultMiddleware } from './middleware.js';
export type { FaultOptions } from './middleware.js';
export { FaultRunner } from './runner.js';
export type { BrokerControl, FaultRunnerOptions } from './runner.js';
