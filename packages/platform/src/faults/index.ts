export { effectiveFaults, faultMiddleware } from './middleware.js';
export type { EffectiveFaults, FaultOptions } from './middleware.js';
