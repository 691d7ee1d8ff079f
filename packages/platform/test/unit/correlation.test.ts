import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, propagation } from '@opentelemetry/api';
import {
  currentCorrelationId,
  ensureContextManager,
  isValidCorrelationId,
  newCorrelationId,
  withCorrelationId,
} from '../../src/correlation.js';
import { BAGGAGE_CORRELATION_ID, CORRELATION_ID_PATTERN } from '../../src/semconv.js';

describe('correlation ID', () => {
  it('accepts only ^[A-Za-z0-9._-]{1,64}$', () => {
    for (const ok of ['a', 'abc-DEF_123.x', 'x'.repeat(64)]) assert.equal(isValidCorrelationId(ok), true, ok);
    for (const bad of ['', 'x'.repeat(65), 'a b', 'a<script>', 'ünïcode', 'a\nb', 'a,b', undefined, 42]) {
      assert.equal(isValidCorrelationId(bad), false, String(bad));
    }
  });

  it('new IDs match the pattern and do not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, newCorrelationId));
    assert.equal(ids.size, 1000);
    for (const id of ids) assert.match(id, CORRELATION_ID_PATTERN);
  });

  it('is absent outside withCorrelationId and present inside, across awaits and timers', async () => {
    assert.equal(currentCorrelationId(), undefined);
    const seen = await withCorrelationId('order-42', async () => {
      const first = currentCorrelationId();
      await sleep(5);
      const afterAwait = currentCorrelationId();
      const inTimer = await new Promise<string | undefined>((resolve) => setTimeout(() => resolve(currentCorrelationId()), 1));
      return [first, afterAwait, inTimer];
    });
    assert.deepEqual(seen, ['order-42', 'order-42', 'order-42']);
    assert.equal(currentCorrelationId(), undefined);
  });

  it('travels as the W3C baggage entry correlation.id and keeps other entries', () => {
    ensureContextManager();
    const withOther = propagation.setBaggage(context.active(), propagation.createBaggage({ tenant: { value: 't1' } }));
    context.with(withOther, () =>
      withCorrelationId('c-1', () => {
        const bag = propagation.getBaggage(context.active());
        assert.equal(bag?.getEntry(BAGGAGE_CORRELATION_ID)?.value, 'c-1');
        assert.equal(bag?.getEntry('tenant')?.value, 't1');
        const carrier: Record<string, string> = {};
        propagation.inject(context.active(), carrier);
        // No propagator is registered in this process, so nothing is injected; the baggage
        // itself is what the registered W3C baggage propagator serializes (see telemetry tests).
        assert.deepEqual(carrier, {});
      }),
    );
  });

  it('nested calls see the innermost ID and restore the outer one', () => {
    withCorrelationId('outer', () => {
      withCorrelationId('inner', () => assert.equal(currentCorrelationId(), 'inner'));
      assert.equal(currentCorrelationId(), 'outer');
    });
  });

  it('ignores an invalid value that arrived in baggage', () => {
    ensureContextManager();
    const bag = propagation.createBaggage({ [BAGGAGE_CORRELATION_ID]: { value: 'bad value <x>' } });
    context.with(propagation.setBaggage(context.active(), bag), () => assert.equal(currentCorrelationId(), undefined));
  });
});

describe('newCorrelationId (pooled random bytes)', () => {
  it('stays valid and unique across pool refills', () => {
    const ids = Array.from({ length: 1_000 }, () => newCorrelationId());
    assert.ok(ids.every((id) => /^[0-9a-f]{32}$/.test(id) && isValidCorrelationId(id)));
    assert.equal(new Set(ids).size, ids.length);
  });
});
