import type Koa from 'koa';

/** The parsed JSON body of a request (set by the platform's body parser), `undefined` when there is none. */
export function requestBody(ctx: Koa.Context): unknown {
  return (ctx.request as { body?: unknown }).body;
}
