import { PassThrough } from 'node:stream';
import type Router from '@koa/router';
import type Koa from 'koa';
import { notFound } from '@brewops/platform';
import type { StatusRepo } from '../db/status-repo.js';
import { isFinished } from '../handlers/read-model.js';
import type { StatusChange } from '../handlers/read-model.js';
import { sseFrame } from '../handlers/status-feed.js';
import type { StatusFeed } from '../handlers/status-feed.js';
import { STATUS_OPENAPI } from '../openapi.js';

const HEARTBEAT_MS = 15_000;

/** Turns the response into an SSE stream; returns the writer and a close hook. */
function openSse(ctx: Koa.Context, onClose: () => void): { send(change: StatusChange): void; end(): void } {
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.set('content-type', 'text/event-stream; charset=utf-8');
  ctx.set('cache-control', 'no-cache, no-transform');
  ctx.set('x-accel-buffering', 'no');
  const stream = new PassThrough();
  ctx.status = 200;
  ctx.body = stream;
  let seq = 0;
  let ended = false;
  stream.on('error', () => undefined); // a client gone mid-write is not the service's problem
  const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const close = (): void => {
    ended = true;
    clearInterval(heartbeat);
    onClose();
  };
  ctx.req.on('close', close);
  stream.write(': stream open\n\n');
  return {
    send: (change) => { if (!ended) stream.write(sseFrame(change, ++seq)); },
    end: () => { if (!ended) { close(); stream.end(); } },
  };
}

export function statusRoutes(router: Router, repo: StatusRepo, feed: StatusFeed): void {
  router.get('/v1/openapi.json', (ctx) => {
    ctx.body = STATUS_OPENAPI;
  });

  router.get('/v1/orders/:id/status', (ctx) => {
    const status = repo.get(ctx.params['id'] ?? '');
    if (!status) throw notFound('order_not_found', 'no status for this order (yet)');
    ctx.body = status;
  });

  // Every change of one order: the ones so far, then live ones; ends once the order's story is over.
  router.get('/v1/orders/:id/status/stream', (ctx) => {
    const orderId = ctx.params['id'] ?? '';
    const sent = new Map<string, StatusChange>();
    let unsubscribe = (): void => undefined;
    const sse = openSse(ctx, () => unsubscribe());
    const deliver = (change: StatusChange): void => {
      if (sent.has(change.eventId)) return;
      sent.set(change.eventId, change);
      sse.send(change);
      if (isFinished([...sent.values()])) sse.end();
    };
    unsubscribe = feed.subscribe(orderId, deliver); // before reading history: nothing falls between
    for (const change of repo.get(orderId)?.history ?? []) deliver(change);
  });

  // Every order's changes, live.
  router.get('/v1/status/stream', (ctx) => {
    let unsubscribe = (): void => undefined;
    const sse = openSse(ctx, () => unsubscribe());
    unsubscribe = feed.subscribe('*', (change) => sse.send(change));
  });
}
