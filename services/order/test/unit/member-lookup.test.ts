import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError, createLogger, ServiceBreaker } from '@brewops/platform';
import type { UpstreamRequest, UpstreamResponse } from '@brewops/platform';
import { lookupMember } from '../../src/handlers/member-lookup.js';
import type { MemberApi } from '../../src/handlers/member-lookup.js';
import { parsePlaceOrder, priceOrder } from '../../src/handlers/place-order.js';

const logger = createLogger({ service: 'order-test', instanceId: 'order-test-1', level: 'silent' });

/** A member client that answers from `answer` and counts the calls that reached it. */
function fakeMember(answer: () => UpstreamResponse | Promise<UpstreamResponse>) {
  const calls: string[] = [];
  const client = { request: async (req: UpstreamRequest) => { calls.push(req.path); return answer(); } };
  return { calls, client: async () => client };
}

const ok = (discountPercent: number): UpstreamResponse => ({ status: 200, headers: {}, body: { discountPercent }, instanceId: 'member-1' });
const down = (): never => { throw new AppError({ status: 503, code: 'no_upstream', message: 'no member instance is available' }); };

test('member lookup: found, unknown, guest; a failed call prices as guest with cause call_failed', async () => {
  const breaker = new ServiceBreaker({ service: 'member', breakerThreshold: 5 });
  assert.deepEqual(await lookupMember({ ...fakeMember(() => ok(10)), breaker }, 'm-1', logger), { kind: 'found', memberId: 'm-1', discountPercent: 10 });
  assert.deepEqual(await lookupMember({ ...fakeMember(() => ({ ...ok(0), status: 404 })), breaker }, 'm-x', logger), { kind: 'unknown', memberId: 'm-x' });
  assert.deepEqual(await lookupMember({ ...fakeMember(down), breaker }, undefined, logger), { kind: 'guest' });
  assert.deepEqual(await lookupMember({ ...fakeMember(down), breaker }, 'm-1', logger), { kind: 'unavailable', memberId: 'm-1', cause: 'call_failed' });
  assert.deepEqual(await lookupMember({ ...fakeMember(() => ({ ...ok(0), status: 500 })), breaker }, 'm-1', logger), { kind: 'unavailable', memberId: 'm-1', cause: 'call_failed' });
});

test('member down: the breaker opens, orders skip the call (cause breaker_open) at guest price, and a probe restores member pricing', async () => {
  let memberUp = false;
  const member = fakeMember(() => (memberUp ? ok(10) : down()));
  let now = 0;
  const api: MemberApi = { client: member.client, breaker: new ServiceBreaker({ service: 'member', breakerThreshold: 3, policy: () => ({ breakerHalfOpenAfterMs: now }) }) };
  const body = parsePlaceOrder({ memberId: 'm-1', items: [{ sku: 'flat-white', quantity: 2 }] });
  const place = async () => priceOrder(body, await lookupMember(api, 'm-1', logger));

  for (let i = 0; i < 3; i++) assert.equal((await place()).pricingFallbackCause, 'call_failed');
  now = 60_000; // a long cool-down: stays open
  const skipped = await place();
  assert.equal(member.calls.length, 3, 'no call while the breaker is open');
  assert.equal(skipped.totalCents, 760, 'guest price');
  assert.equal(skipped.pricingFallback, 'member_unavailable');
  assert.equal(skipped.pricingFallbackCause, 'breaker_open');

  memberUp = true;
  now = 0; // cool-down over: the next order is the half-open probe
  const probed = await place();
  assert.equal(member.calls.length, 4);
  assert.equal(probed.pricingFallback, null);
  assert.equal(probed.pricingFallbackCause, null);
  assert.equal(probed.totalCents, 684, 'member price again');
});
