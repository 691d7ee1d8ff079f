import { W3CBaggagePropagator } from '@opentelemetry/core';
import { ROOT_CONTEXT, propagation, trace } from '@opentelemetry/api';
import type { Context, TextMapGetter } from '@opentelemetry/api';
import { isValidCorrelationId } from '../correlation.js';
import { AMQP_HEADER_CORRELATION_ID, BAGGAGE_CORRELATION_ID } from '../semconv.js';

/** The value if it is an acceptable correlation ID (see `CORRELATION_ID_PATTERN`), else `undefined`. */
export function validCorrelationId(value: unknown): string | undefined {
  const s = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  return isValidCorrelationId(s) ? (s as string) : undefined;
}

/** Reads AMQP headers for OTel propagators; AMQP `longstr` values may arrive as Buffers. */
export const amqpHeaderGetter: TextMapGetter<Readonly<Record<string, unknown>>> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const v = carrier[key];
    if (typeof v === 'string') return v;
    if (Buffer.isBuffer(v)) return v.toString('utf8');
    return undefined;
  },
};

const baggageParser = new W3CBaggagePropagator();

/** Correlation ID from a context's baggage entry `correlation.id`. */
export function correlationIdOf(ctx: Context): string | undefined {
  return validCorrelationId(propagation.getBaggage(ctx)?.getEntry(BAGGAGE_CORRELATION_ID)?.value);
}

/** `ctx` with `correlation.id` set in its baggage (other entries kept). */
export function withCorrelationId(ctx: Context, id: string): Context {
  const baggage = propagation.getBaggage(ctx) ?? propagation.createBaggage();
  return propagation.setBaggage(ctx, baggage.setEntry(BAGGAGE_CORRELATION_ID, { value: id }));
}

/**
 * Correlation ID carried by message headers, independent of the registered global propagator:
 * the `baggage` header's `correlation.id` entry first, then `x-correlation-id`.
 */
export function correlationIdFromHeaders(headers: Readonly<Record<string, unknown>>): string | undefined {
  const fromBaggage = correlationIdOf(baggageParser.extract(ROOT_CONTEXT, headers, amqpHeaderGetter));
  return fromBaggage ?? validCorrelationId(headers[AMQP_HEADER_CORRELATION_ID]);
}

/**
 * The context a handler runs in. `active` is the context amqplib's callback runs in: with the
 * amqplib instrumentation it already holds the consumer span (a child of the producer span) and
 * the extracted baggage. Without it, no span is active and we extract the producer's context
 * ourselves, so spans the handler starts still join the producer's trace. Either way the baggage
 * ends up with `correlation.id` when the message carries one.
 */
export function consumerContext(
  active: Context,
  headers: Readonly<Record<string, unknown>>,
): { ctx: Context; correlationId: string | undefined } {
  const ctx = trace.getSpan(active) === undefined ? propagation.extract(active, headers, amqpHeaderGetter) : active;
  const fromContext = correlationIdOf(ctx);
  if (fromContext !== undefined) return { ctx, correlationId: fromContext };
  const fromHeaders = correlationIdFromHeaders(headers);
  return fromHeaders === undefined
    ? { ctx, correlationId: undefined }
    : { ctx: withCorrelationId(ctx, fromHeaders), correlationId: fromHeaders };
}
