import { z } from 'zod';

/** Identifiers that travel in events: order IDs (UUIDs), member IDs, SKUs. */
export const Id = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/);

/** The metadata every domain event carries; `payload` is checked by the event's own schema. */
export const EnvelopeSchema = z.object({
  messageId: Id,
  /** Routing key and event name, e.g. `order.placed`. */
  type: z.string().min(1).max(64),
  version: z.number().int().min(1),
  /** ISO-8601 time the fact happened. */
  occurredAt: z.iso.datetime({ offset: true }),
  correlationId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
  payload: z.unknown(),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;
