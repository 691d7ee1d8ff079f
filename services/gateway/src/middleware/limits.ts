import { Transform, type TransformCallback } from 'node:stream';
import type Koa from 'koa';
import { AppError } from '@brewops/platform';
import type { GatewayConfig } from '../config.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export const payloadTooLarge = (max: number): AppError =>
  new AppError({ status: 413, code: 'payload_too_large', message: `request body is larger than ${max} bytes` });

/** Method, URL length, header size and declared body size, checked before anything else is done. */
export function limitsMiddleware(cfg: GatewayConfig): Koa.Middleware {
  return function gatewayLimits(ctx, next) {
    if (!METHODS.has(ctx.method)) {
      throw new AppError({ status: 405, code: 'method_not_allowed', message: `method ${ctx.method} is not allowed`, headers: { allow: [...METHODS].join(', ') } });
    }
    if (Buffer.byteLength(ctx.url) > cfg.maxUrlBytes) throw new AppError({ status: 414, code: 'uri_too_long', message: `request target is longer than ${cfg.maxUrlBytes} bytes` });
    let headerBytes = 0;
    for (const h of ctx.req.rawHeaders) headerBytes += h.length + 2;
    if (headerBytes > cfg.maxHeaderBytes) {
      throw new AppError({ status: 431, code: 'headers_too_large', message: `request headers are larger than ${cfg.maxHeaderBytes} bytes` });
    }
    const declared = ctx.get('content-length');
    if (declared !== '' && (!/^\d+$/.test(declared) || Number(declared) > cfg.maxBodyBytes)) {
      if (!/^\d+$/.test(declared)) throw new AppError({ status: 400, code: 'bad_content_length', message: 'content-length is not a number' });
      throw payloadTooLarge(cfg.maxBodyBytes);
    }
    return next();
  };
}

/** Passes a body through, failing with 413 once more than `max` bytes went by (chunked bodies). */
export class ByteLimit extends Transform {
  private seen = 0;
  exceeded = false;

  constructor(private readonly max: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.max) {
      this.exceeded = true;
      cb(payloadTooLarge(this.max));
      return;
    }
    cb(null, chunk);
  }
}
