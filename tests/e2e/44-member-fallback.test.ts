/**
 * Order → member is not on the critical path: with every member instance stopped, orders are
 * still accepted at guest price, flagged `member_unavailable`, and the saga completes; once
 * member is back, members get their discount again. (Breaker states are asserted by the
 * platform client's own tests: with per-instance breakers, stopped instances leave discovery
 * rather than trip a breaker.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readState, supervisorClient } from '@brewops/cli';
import { eventually } from '../support/stack.js';
import { placeOrder, readStatusStream } from './40-saga-helpers.js';

const order = { memberId: 'm-100', items: [{ sku: 'flat-white', quantity: 2 }] };

test('all member instances stopped: orders accepted at guest price, flagged; member back: discount again', async () => {
  const supervisor = supervisorClient(readState());
  const members = (await supervisor.instances()).filter((i) => i.service === 'member' && i.state === 'ready');
  assert.ok(members.length >= 1, 'no ready member instance');
  try {
    for (const m of members) await supervisor.stop(m.id);
    const placed = await eventually('an order priced without member', async () => {
      const r = await placeOrder(order);
      return r.status === 201 && r.body.pricingFallback === 'member_unavailable' ? r : undefined;
    }, 15_000, 300);
    assert.equal(placed.body.totalCents, 760, 'guest price expected');
    const changes = await readStatusStream(placed.body.orderId);
    assert.equal(changes.at(-1)?.status, 'completed', 'a flagged order still goes through the saga');
  } finally {
    for (const m of members) await supervisor.start(m.id);
  }
  const back = await eventually('member discount again', async () => {
    const r = await placeOrder(order);
    return r.status === 201 && r.body.pricingFallback === null ? r : undefined;
  }, 30_000, 500);
  assert.equal(back.body.totalCents, 684);
});
