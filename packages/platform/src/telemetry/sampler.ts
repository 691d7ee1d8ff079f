import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { ParentBasedSampler, SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import { QUEUE_LOGS } from '../semconv.js';

/**
 * Root sampler that keeps everything except the log pipeline's own consumption: the collector
 * reading a log batch would otherwise open a new trace every few hundred milliseconds per
 * service, and the search-backend calls under it would follow. (Publishing log batches is
 * already untraced: the shipper runs with tracing suppressed.)
 */
export class LogPipelineRootSampler implements Sampler {
  shouldSample(_ctx: Context, _traceId: string, spanName: string, _kind: SpanKind, _attributes: Attributes, _links: Link[]): SamplingResult {
    if (spanName.startsWith(`${QUEUE_LOGS} `)) return { decision: SamplingDecision.NOT_RECORD };
    return { decision: SamplingDecision.RECORD_AND_SAMPLED };
  }

  toString(): string {
    return 'LogPipelineRootSampler';
  }
}

/** Parent-based: children follow their parent; roots go through LogPipelineRootSampler. */
export function createSampler(): Sampler {
  return new ParentBasedSampler({ root: new LogPipelineRootSampler() });
}
