/**
 * The order → member service breaker on the live stack. Both member instances stopped through the
 * supervisor: the calls fail (no instance), the breaker opens after `upstreams.member.breaker.
 * consecutiveFailures` of them, and from then on orders are accepted at guest price without a
 * call (`pricingFallbackCause: breaker_open`); order's /metrics shows the breaker open. Members
 * started again: after `halfOpenAfterMs` one half-open probe goes through, succeeds and closes the
 * breaker; members get their discount again. The members are started again whatever happens.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readState, supervisorClient } from '@brewops/cli';
import type { SupervisorClient } from '@brewops/cli';
import { eventually } from '../support/stack.js';
import { placeOrder } from './40-saga-helpers.js';

const order = { memberId: 'm-100', items: [{ sku: 'flat-white', quantity: 2 }] };
const GUEST_CENTS = 760;
const MEMBER_CENTS = 684;
const STATE = 'brewops_client_service_breaker_state{upstream_service="member"}';
const REJECTED = 'brewops_client_service_breaker_rejected_total{upstream_service="member"}';
const transitions = (state: string): string => `brewops_client_service_breaker_transitions_total{upstream_service="member",state="${state}"}`;

interface Placed {
  status: number;
  body: { orderId: string; totalCents: number; pricingFallback: string | null; pricingFallbackCause?: string | null };
}

let supervisor: SupervisorClient | undefined;
let stopped: string[] = [];

/** A sample of an instance's /metrics, by its full series name (0 when absent, as Prometheus reads a counter). */
async function sample(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

async function orderUrls(s: SupervisorClient): Promise<string[]> {
  const urls = (await s.instances()).filter((i) => i.service === 'order' && i.state === 'ready' && i.url !== null).map((i) => i.url!);
  assert.ok(urls.length >= 1, 'no ready order instance');
  return urls;
}

async function startMembers(s: SupervisorClient, ids: readonly string[]): Promise<void> {
  for (const id of ids) await s.start(id);
  await eventually('the member instances to be ready again', async () => {
    const all = await s.instances();
    return ids.every((id) => all.find((i) => i.id === id)?.state === 'ready') ? true : undefined;
  }, 30_000, 200);
}

after(async () => {
  // whatever failed above, member comes back for the tests that follow
  if (supervisor !== undefined && stopped.length > 0) await startMembers(supervisor, stopped);
});

test('member down: the order → member breaker opens and orders skip the call; member back: a half-open probe closes it', async () => {
  supervisor = supervisorClient(readState());
  const s = supervisor;
  const members = (await s.instances()).filter((i) => i.service === 'member' && i.state === 'ready');
  assert.ok(members.length >= 1, 'no ready member instance');
  const orders = await orderUrls(s);

  // start from a closed breaker and member pricing
  await eventually('member pricing before the test', async () => {
    const r = (await placeOrder(order)) as Placed;
    return r.status === 201 && r.body.pricingFallback === null ? r : undefined;
  }, 30_000, 500);
  for (const url of orders) assert.equal(await sample(url, STATE), 0, `breaker closed on ${url} before the test`);
  const rejectedBefore = await Promise.all(orders.map((u) => sample(u, REJECTED)));

  stopped = members.map((m) => m.id);
  const stoppedAt = performance.now();
  for (const id of stopped) await s.stop(id);

  // orders keep being accepted; once the breaker is open on every order instance, none calls member
  const whileDown: Placed[] = [];
  await eventually('the breaker open on every order instance', async () => {
    whileDown.push((await placeOrder(order)) as Placed);
    const states = await Promise.all(orders.map((u) => sample(u, STATE)));
    return states.every((v) => v === 2) ? true : undefined;
  }, 20_000, 100);
  for (const r of whileDown) {
    assert.equal(r.status, 201, `order refused while member is down: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.totalCents, GUEST_CENTS, 'guest price while member is down');
    assert.equal(r.body.pricingFallback, 'member_unavailable');
  }
  const failedCalls = whileDown.filter((r) => r.body.pricingFallbackCause === 'call_failed');
  const openedAfter = performance.now() - stoppedAt;

  const skipped = (await placeOrder(order)) as Placed;
  assert.equal(skipped.status, 201);
  assert.equal(skipped.body.totalCents, GUEST_CENTS);
  assert.equal(skipped.body.pricingFallback, 'member_unavailable');
  assert.equal(skipped.body.pricingFallbackCause, 'breaker_open', 'while open the order is flagged as priced without a call');
  const rejectedAfter = await Promise.all(orders.map((u) => sample(u, REJECTED)));
  assert.ok(rejectedAfter.some((v, i) => v > rejectedBefore[i]!), 'calls refused by the open breaker are counted');
  console.log(`  breaker open on ${orders.length} order instance(s) ${openedAfter.toFixed(0)} ms after the members were stopped, after ${failedCalls.length} failed call(s) seen by this test`);

  const halfOpenBefore = await Promise.all(orders.map((u) => sample(u, transitions('half_open'))));
  await startMembers(s, stopped);
  const backAt = performance.now();
  stopped = [];

  const whileRecovering: Placed[] = [];
  const back = await eventually('member pricing again', async () => {
    const r = (await placeOrder(order)) as Placed;
    whileRecovering.push(r);
    return r.body.pricingFallback === null ? r : undefined;
  }, 30_000, 250);
  for (const r of whileRecovering) {
    assert.equal(r.status, 201);
    if (r.body.pricingFallback !== null) assert.equal(r.body.totalCents, GUEST_CENTS, 'until the probe closes the breaker: guest price, flagged');
  }
  assert.equal(back.body.totalCents, MEMBER_CENTS, 'member discount again');
  assert.equal(back.body.pricingFallbackCause, null);
  await eventually('the breaker closed on every order instance', async () => {
    for (const _ of orders) await placeOrder(order); // a probe per instance, when its cool-down is over
    const states = await Promise.all(orders.map((u) => sample(u, STATE)));
    return states.every((v) => v === 0) ? true : undefined;
  }, 30_000, 250);
  const closedAfter = performance.now() - backAt;
  const halfOpenAfter = await Promise.all(orders.map((u) => sample(u, transitions('half_open'))));
  assert.ok(halfOpenAfter.every((v, i) => v > halfOpenBefore[i]!), 'each breaker closed through a half-open probe');
  console.log(`  breaker closed ${closedAfter.toFixed(0)} ms after the members were ready again (half-open probe after the cool-down); ${whileRecovering.length - 1} order(s) at guest price meanwhile`);
});
