/** `brewops load`: the public pieces (scenario scripts, in-process runs for chaos tooling). */
export { defineScenario, JOURNEY_NAMES } from './types.js';
export type { Scenario, JourneyName, JourneyWeights, DurationInput } from './types.js';
export { startLoad } from './runner.js';
export type { LoadRun, LoadRunOptions } from './runner.js';
export type { LoadConfig } from './config.js';
export type { LoadResult } from './result.js';
export type { ChaosEvent, ChaosEventKind, MarkOptions } from './events.js';
