import { randomUUID } from 'node:crypto';
import type { HttpCall, HttpReply } from './http.js';
import type { JourneyName } from './types.js';

/** What a journey can do; the runner records every request and enforces the run's bounds. */
export interface JourneyContext {
  /** Sent as `x-correlation-id` on every request of this journey. */
  readonly correlationId: string;
  /** Sends a request; null when it failed (recorded as an error) or the run is stopping. */
  request(step: string, call: HttpCall, expect: readonly number[]): Promise<HttpReply | null>;
  /** Follows a stream until `until(text)`; false when it failed or the run is stopping. */
  follow(step: string, call: HttpCall, until: (text: string) => boolean): Promise<boolean>;
  /** Waits the think time (at least `minMs`); false when the run is stopping. */
  think(minMs?: number): Promise<boolean>;
  /** A random number in [0, 1). */
  random(): number;
}

export type Journey = (ctx: JourneyContext) => Promise<void>;

/** Members the member service seeds (services/member/src/handlers/members.ts). */
const MEMBERS = ['m-100', 'm-200', 'm-300'] as const;
/** Menu SKUs used when the menu response cannot be read (services/order/src/handlers/menu.ts). */
const FALLBACK_SKUS = ['espresso', 'flat-white', 'cappuccino', 'filter'] as const;
const TERMINAL = /"status"\s*:\s*"(completed|cancelled)"/;
const POLL_MIN_MS = 250;
const MAX_POLLS = 20;

export const ROUTES = {
  menu: '/api/order/v1/menu',
  orders: '/api/order/v1/orders',
  status: (id: string) => `/api/status/v1/orders/${encodeURIComponent(id)}/status`,
  statusStream: (id: string) => `/api/status/v1/orders/${encodeURIComponent(id)}/status/stream`,
  member: (id: string) => `/api/member/v1/members/${encodeURIComponent(id)}`,
} as const;

function pick<T>(list: readonly T[], r: number): T {
  return list[Math.min(list.length - 1, Math.floor(r * list.length))]!;
}

function skusOf(menu: HttpReply | null): readonly string[] {
  try {
    const items = (JSON.parse(menu?.body ?? '') as { items?: Array<{ sku?: unknown }> }).items ?? [];
    const skus = items.map((i) => i.sku).filter((s): s is string => typeof s === 'string');
    return skus.length > 0 ? skus : FALLBACK_SKUS;
  } catch {
    return FALLBACK_SKUS;
  }
}

/** POST /orders with an Idempotency-Key; the new order's ID, or null. */
async function placeOrder(ctx: JourneyContext, skus: readonly string[]): Promise<string | null> {
  const body = {
    ...(ctx.random() < 0.8 ? { memberId: pick(MEMBERS, ctx.random()) } : {}),
    items: [{ sku: pick(skus, ctx.random()), quantity: 1 + Math.floor(ctx.random() * 2) }],
  };
  const res = await ctx.request('place-order', {
    method: 'POST',
    path: ROUTES.orders,
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify(body),
  }, [201]);
  if (!res) return null;
  try {
    const id = (JSON.parse(res.body) as { orderId?: unknown }).orderId;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

/** Browse the menu (public route). */
const browse: Journey = async (ctx) => {
  await ctx.request('menu', { method: 'GET', path: ROUTES.menu }, [200]);
};

/** Read the menu, think, place an order. */
const order: Journey = async (ctx) => {
  const menu = await ctx.request('menu', { method: 'GET', path: ROUTES.menu }, [200]);
  if (!menu || !(await ctx.think())) return;
  await placeOrder(ctx, skusOf(menu));
};

/** Place an order, then poll its status until completed or cancelled (404: read model not there yet). */
const status: Journey = async (ctx) => {
  const id = await placeOrder(ctx, FALLBACK_SKUS);
  if (!id) return;
  for (let i = 0; i < MAX_POLLS; i++) {
    if (!(await ctx.think(POLL_MIN_MS))) return;
    const res = await ctx.request('poll-status', { method: 'GET', path: ROUTES.status(id) }, [200, 404]);
    if (!res || (res.status === 200 && TERMINAL.test(res.body))) return;
  }
};

/** Place an order, then follow its SSE stream until a terminal status (or the stream timeout). */
const sse: Journey = async (ctx) => {
  const id = await placeOrder(ctx, FALLBACK_SKUS);
  if (!id || !(await ctx.think())) return;
  await ctx.follow('follow-stream', { method: 'GET', path: ROUTES.statusStream(id), headers: { accept: 'text/event-stream' } }, (t) => TERMINAL.test(t));
};

/** Look a member up. */
const member: Journey = async (ctx) => {
  await ctx.request('member', { method: 'GET', path: ROUTES.member(pick(MEMBERS, ctx.random())) }, [200]);
};

export const JOURNEYS: Readonly<Record<JourneyName, Journey>> = { browse, order, status, sse, member };

/** Picks a journey by weight; `r` in [0, 1). Pure. */
export function pickJourney(weights: ReadonlyArray<readonly [JourneyName, number]>, r: number): JourneyName {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  let x = r * total;
  for (const [name, w] of weights) {
    if (x < w) return name;
    x -= w;
  }
  return weights[weights.length - 1]![0];
}
