/**
 * The correlation ID of the current unit of work, carried as the W3C baggage entry
 * `correlation.id` of the active OpenTelemetry context. Baggage is what the HTTP and AMQP
 * instrumentations propagate, so the ID follows every hop, sync or async, with no extra code.
 */
import { randomFillSync } from 'node:crypto';
import { context, createContextKey, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BAGGAGE_CORRELATION_ID, CORRELATION_ID_PATTERN } from './semconv.js';

/** True when `s` is an acceptable correlation ID (`^[A-Za-z0-9._-]{1,64}$`). */
export function isValidCorrelationId(s: unknown): boolean {
  return typeof s === 'string' && CORRELATION_ID_PATTERN.test(s);
}

/** Random bytes for 256 IDs, refilled when used up: one CSPRNG call per 256 requests, not one each. */
const ID_POOL = Buffer.alloc(16 * 256);
let idOffset = ID_POOL.length;

/** A new random correlation ID: 32 lowercase hex characters (matches the accepted pattern). */
export function newCorrelationId(): string {
  if (idOffset === ID_POOL.length) {
    randomFillSync(ID_POOL);
    idOffset = 0;
  }
  const id = ID_POOL.toString('hex', idOffset, idOffset + 16);
  idOffset += 16;
  return id;
}

/** The correlation ID in the baggage of the active context, if it has a valid one. */
export function currentCorrelationId(): string | undefined {
  const value = propagation.getBaggage(context.active())?.getEntry(BAGGAGE_CORRELATION_ID)?.value;
  return value !== undefined && isValidCorrelationId(value) ? value : undefined;
}

/**
 * Runs `fn` in a context whose baggage carries `id` (other baggage entries are kept).
 * Everything `fn` starts, including awaited continuations, sees the ID.
 */
export function withCorrelationId<T>(id: string, fn: () => T): T {
  ensureContextManager();
  const active = context.active();
  const baggage = (propagation.getBaggage(active) ?? propagation.createBaggage()).setEntry(BAGGAGE_CORRELATION_ID, {
    value: id,
  });
  return context.with(propagation.setBaggage(active, baggage), fn);
}

let contextManagerChecked = false;
const PROBE = createContextKey('brewops.context-probe');

/**
 * Makes sure a context manager that follows async continuations is registered.
 * `telemetry/register` installs one with the SDK; a process that runs without it (unit tests,
 * tooling) would otherwise get the API's no-op manager, and baggage set by `withCorrelationId`
 * would be invisible to the code it runs. Idempotent and cheap after the first call.
 */
export function ensureContextManager(): void {
  if (contextManagerChecked) return;
  contextManagerChecked = true;
  const works = context.with(ROOT_CONTEXT.setValue(PROBE, true), () => context.active().getValue(PROBE) === true);
  if (works) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}
