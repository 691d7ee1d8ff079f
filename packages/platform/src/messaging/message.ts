import { randomUUID } from 'node:crypto';
import type { ConsumeMessage, Options } from 'amqplib';
import { AMQP_HEADER_CORRELATION_ID } from '../semconv.js';
import { MessagingError } from './errors.js';
import type { ConsumedMessage, PublishOptions } from './types.js';

export const JSON_CONTENT_TYPE = 'application/json';
const BINARY_CONTENT_TYPE = 'application/octet-stream';

/** Body and AMQP properties of one outgoing message (pure; the caller adds propagation headers). */
export function buildOutgoing(
  payload: unknown,
  opts: PublishOptions | undefined,
  correlationId: string | undefined,
  now: number = Date.now(),
  newId: () => string = randomUUID,
): { content: Buffer; options: Options.Publish } {
  let content: Buffer;
  let contentType: string;
  if (Buffer.isBuffer(payload)) {
    content = payload;
    contentType = opts?.contentType ?? BINARY_CONTENT_TYPE;
  } else {
    let json: string | undefined;
    try {
      json = JSON.stringify(payload);
    } catch (err) {
      throw new MessagingError('serialize_failed', `payload is not JSON-serialisable: ${String(err)}`, { cause: err });
    }
    if (json === undefined) throw new MessagingError('serialize_failed', `payload of type ${typeof payload} has no JSON form`);
    content = Buffer.from(json, 'utf8');
    contentType = JSON_CONTENT_TYPE;
  }
  const headers: Record<string, unknown> = { ...opts?.headers };
  if (correlationId !== undefined) headers[AMQP_HEADER_CORRELATION_ID] = correlationId;
  const options: Options.Publish = {
    persistent: opts?.persistent ?? true,
    contentType,
    messageId: opts?.messageId ?? newId(),
    timestamp: Math.floor(now / 1000), // AMQP timestamps are seconds
    headers,
  };
  if (opts?.type !== undefined) options.type = opts.type;
  if (opts?.expiration !== undefined) options.expiration = String(opts.expiration);
  if (opts?.priority !== undefined) options.priority = opts.priority;
  return { content, options };
}

function isJsonContentType(contentType: unknown): boolean {
  if (contentType === undefined || contentType === null || contentType === JSON_CONTENT_TYPE) return true;
  if (typeof contentType !== 'string') return false;
  const base = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return base === JSON_CONTENT_TYPE || base.endsWith('+json');
}

/** JSON-decodes a body when its content type says JSON (or says nothing); otherwise, or if it does not parse, the raw Buffer. */
export function decodeBody(raw: Buffer, contentType: unknown): unknown {
  if (!isJsonContentType(contentType)) return raw;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return raw;
  }
}

/** A delivered message as handlers see it; the body is parsed on first read only. */
export class DeliveredMessage implements ConsumedMessage {
  private parsed: { value: unknown } | undefined;
  readonly raw: Buffer;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly messageId: string | undefined;
  readonly routingKey: string;
  readonly exchange: string;
  readonly redelivered: boolean;

  constructor(
    private readonly msg: ConsumeMessage,
    readonly correlationId: string | undefined,
  ) {
    this.raw = msg.content;
    this.headers = msg.properties.headers ?? {};
    this.messageId = typeof msg.properties.messageId === 'string' ? msg.properties.messageId : undefined;
    this.routingKey = msg.fields.routingKey;
    this.exchange = msg.fields.exchange;
    this.redelivered = msg.fields.redelivered;
  }

  get body(): unknown {
    this.parsed ??= { value: decodeBody(this.msg.content, this.msg.properties.contentType) };
    return this.parsed.value;
  }
}
