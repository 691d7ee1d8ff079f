import { randomUUID } from 'node:crypto';
import { EnvelopeSchema } from './envelope.js';
import { EVENTS, isEventType } from './events.js';
import type { EventType, PayloadOf } from './events.js';

/** A validated domain event of one type. */
export interface DomainEvent<T extends EventType = EventType> {
  readonly messageId: string;
  readonly type: T;
  readonly version: number;
  readonly occurredAt: string;
  readonly correlationId?: string;
  readonly payload: PayloadOf<T>;
}

/** Any validated domain event, narrowable by `type`. */
export type AnyDomainEvent = { [T in EventType]: DomainEvent<T> }[EventType];

/** Raised by `createEvent` when a producer's payload breaks its schema (a bug: never published). */
export class ContractError extends Error {
  readonly code = 'contract_violation';
  constructor(message: string, readonly field: string) {
    super(message);
    this.name = 'ContractError';
  }
}

export function isContractError(e: unknown): e is ContractError {
  return e instanceof ContractError;
}

function describe(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, prefix: string): { field: string; message: string } {
  const issue = issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  const field = path === '' ? prefix : `${prefix}.${path}`;
  return { field, message: `${field}: ${issue?.message ?? 'invalid'}` };
}

export interface CreateEventOptions {
  readonly correlationId?: string | undefined;
  readonly messageId?: string;
  readonly now?: Date;
}

/** Builds and validates an event; throws `ContractError` when the payload breaks the schema. */
export function createEvent<T extends EventType>(type: T, payload: PayloadOf<T>, opts: CreateEventOptions = {}): DomainEvent<T> {
  const spec = EVENTS[type];
  const parsed = spec.payload.safeParse(payload);
  if (!parsed.success) {
    const { field, message } = describe(parsed.error.issues, 'payload');
    throw new ContractError(`${type}: ${message}`, field);
  }
  return {
    messageId: opts.messageId ?? randomUUID(),
    type,
    version: spec.version,
    occurredAt: (opts.now ?? new Date()).toISOString(),
    ...(opts.correlationId !== undefined ? { correlationId: opts.correlationId } : {}),
    payload: parsed.data as PayloadOf<T>,
  };
}

export type ParseResult =
  | { readonly ok: true; readonly event: AnyDomainEvent }
  | { readonly ok: false; readonly reason: string; readonly messageId?: string };

/** Validates a received message body: envelope, known type and version, payload. Never throws. */
export function parseEvent(body: unknown): ParseResult {
  const env = EnvelopeSchema.safeParse(body);
  if (!env.success) return { ok: false, reason: `envelope ${describe(env.error.issues, 'event').message}` };
  const { type, version, payload, messageId } = env.data;
  if (!isEventType(type)) return { ok: false, reason: `unknown event type "${type}"`, messageId };
  const spec = EVENTS[type];
  if (version !== spec.version) return { ok: false, reason: `${type}: unsupported version ${version}`, messageId };
  const p = spec.payload.safeParse(payload);
  if (!p.success) return { ok: false, reason: `${type}: ${describe(p.error.issues, 'payload').message}`, messageId };
  return { ok: true, event: { ...env.data, type, payload: p.data } as AnyDomainEvent };
}
