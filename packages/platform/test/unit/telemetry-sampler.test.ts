import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { createSampler } from '../../src/telemetry/sampler.js';
import { QUEUE_LOGS } from '../../src/semconv.js';

test('the log pipeline consumer opens no trace; business spans are all kept', () => {
  const s = createSampler();
  const decide = (name: string) => s.shouldSample(ROOT_CONTEXT, '0af7651916cd43dd8448eb211c80319c', name, SpanKind.CONSUMER, {}, []).decision;
  assert.equal(decide(`${QUEUE_LOGS} process`), SamplingDecision.NOT_RECORD);
  assert.equal(decide('status.order-events process'), SamplingDecision.RECORD_AND_SAMPLED);
  assert.equal(decide('POST /v1/orders'), SamplingDecision.RECORD_AND_SAMPLED);
});
