import { bodyParser } from '@koa/bodyparser';
import type Koa from 'koa';
import { AppError } from '../errors.js';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * JSON bodies only, strict (object or array at the top), up to `limit`. A body of any other
 * content type is refused with 415 `unsupported_media_type`; malformed JSON and bodies over the
 * limit become 400 `invalid_json` and 413 `payload_too_large` in the error middleware.
 */
export function jsonBodyMiddleware(limit: string): Koa.Middleware {
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: limit, jsonStrict: true, encoding: 'utf-8' });
  return function jsonBody(ctx, next) {
    if (BODY_METHODS.has(ctx.method) && ctx.request.is('json') === false) {
      throw new AppError({
        status: 415,
        code: 'unsupported_media_type',
        message: 'Request body must be application/json',
      });
    }
    return parse(ctx, next);
  };
}
