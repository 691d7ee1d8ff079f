/**
 * An instance killed with kill -9 (no deregistration) disappears from discovery when its lease
 * expires; the measured time is printed. The supervisor then starts it again for later tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Discovery, readRuntimeEnv } from '@brewops/platform';
import { readState, supervisorClient } from '@brewops/cli';
import { eventually, sleep } from '../support/stack.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

test('kill -9 of a member instance: gone from discovery within the lease TTL', async () => {
  const ttl = readRuntimeEnv({ BREWOPS_SERVICE: 'test' }).discoveryTtlSeconds;
  const supervisor = supervisorClient(readState());
  const members = (await supervisor.instances()).filter((i) => i.service === 'member' && i.state === 'ready');
  assert.ok(members.length >= 2, `need two ready member instances, have ${members.length}`);
  const victim = members[0]!;

  const discovery = new Discovery({ hosts: ['http://127.0.0.1:2379'], logger: quiet as never, ttlSeconds: ttl });
  const watch = await discovery.watch('member');
  try {
    assert.ok(watch.instances().some((i) => i.instanceId === victim.id), 'victim not in discovery before the kill');
    const killedAt = performance.now();
    process.kill(victim.pid!, 'SIGKILL');
    const goneAfter = await eventually('the killed instance to leave discovery', async () =>
      watch.instances().some((i) => i.instanceId === victim.id) ? undefined : performance.now() - killedAt, (ttl + 5) * 1000, 20);
    console.log(`  ${victim.id} (pid ${victim.pid}) killed with SIGKILL; removed from discovery after ${goneAfter.toFixed(0)} ms (lease TTL ${ttl} s)`);
    assert.ok(goneAfter <= ttl * 1000 + 2000, `took ${goneAfter.toFixed(0)} ms, more than the TTL + 2 s`);
    assert.ok(watch.instances().some((i) => i.service === 'member'), 'the other member instance vanished too');
  } finally {
    watch.close();
    await discovery.close();
    await supervisor.start(victim.id);
    await eventually('the restarted instance to be ready', async () => {
      const i = (await supervisor.instances()).find((x) => x.id === victim.id);
      return i?.state === 'ready' ? i : undefined;
    }, 30_000);
    await sleep(200);
  }
});
