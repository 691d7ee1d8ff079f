import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdLeaseInvalidError } from 'etcd3';
import { EtcdHealth } from '../../src/discovery/health.js';
import { assertKeySegment, parseInstanceInfo, parseKey, servicePrefix } from '../../src/discovery/keys.js';
import { RegistryView } from '../../src/discovery/registry-view.js';
import type { RegistryKv } from '../../src/discovery/registry-view.js';
import { isDiscoveryError } from '../../src/discovery/index.js';
import type { InstanceInfo } from '../../src/discovery/index.js';
import { instanceKey, overrideKey } from '../../src/semconv.js';

function info(service: string, instanceId: string, port = 8000): InstanceInfo {
  return { service, instanceId, host: '127.0.0.1', port, version: '0.1.0', zone: 'local', registeredAt: '2024-01-01T00:00:00.000Z' };
}
const inst = (i: InstanceInfo, modRevision: number): RegistryKv => ({ key: instanceKey(i.service, i.instanceId), value: JSON.stringify(i), modRevision });
const oos = (service: string, id: string, modRevision: number): RegistryKv => ({ key: overrideKey(service, id), value: 'OUT_OF_SERVICE', modRevision });
const ids = (xs: readonly { instanceId: string }[]): string[] => xs.map((x) => x.instanceId);

describe('etcd key layout', () => {
  it('parses exactly the keys semconv builds', () => {
    assert.deepEqual(parseKey(instanceKey('order', 'order-1')), { kind: 'instance', service: 'order', instanceId: 'order-1' });
    assert.deepEqual(parseKey(overrideKey('order', 'order-1')), { kind: 'override', service: 'order', instanceId: 'order-1' });
    assert.equal(parseKey('/brewops/services/order/config/x'), undefined);
    assert.equal(parseKey('/brewops/services/order/instances/a/b'), undefined);
    assert.equal(parseKey('/other/services/order/instances/a'), undefined);
  });

  it('scopes a service prefix so "order" never matches "orders"', () => {
    assert.ok(instanceKey('order', 'x').startsWith(servicePrefix('order')));
    assert.ok(!instanceKey('orders', 'x').startsWith(servicePrefix('order')));
  });

  it('refuses names that would break the key layout', () => {
    for (const bad of ['', 'a/b']) {
      assert.throws(() => assertKeySegment('instanceId', bad), (e: unknown) => isDiscoveryError(e) && e.code === 'invalid_instance');
    }
    assert.doesNotThrow(() => assertKeySegment('instanceId', 'order-host-123'));
  });
});

describe('registry view (override filtering over a fake key set)', () => {
  const a = info('order', 'a', 8001);
  const b = info('order', 'b', 8002);
  const c = info('order', 'c', 8003);

  it('drops OUT_OF_SERVICE instances from live() but keeps them in all()', () => {
    const v = new RegistryView();
    assert.equal(v.applySnapshot([inst(a, 5), inst(b, 6), inst(c, 7), oos('order', 'b', 8)], 10), true);
    assert.deepEqual(ids(v.live()), ['a', 'c']);
    assert.deepEqual(v.all().map((s) => [s.instanceId, s.override]), [['a', null], ['b', 'OUT_OF_SERVICE'], ['c', null]]);
    assert.deepEqual(v.live()[0], a);
  });

  it('applies override puts and deletes from the watch, in order', () => {
    const v = new RegistryView();
    v.applySnapshot([inst(a, 5), inst(b, 6)], 10);
    assert.equal(v.applyPut(oos('order', 'a', 11)), true);
    assert.deepEqual(ids(v.live()), ['b']);
    assert.equal(v.applyDelete(overrideKey('order', 'a'), 12), true);
    assert.deepEqual(ids(v.live()), ['a', 'b']);
  });

  it('an override for an instance that is not registered adds nothing; the instance appears once registered', () => {
    const v = new RegistryView();
    v.applySnapshot([oos('order', 'c', 3)], 10);
    assert.deepEqual(v.all(), []);
    v.applyPut(inst(c, 11));
    assert.deepEqual(v.all().map((s) => [s.instanceId, s.override]), [['c', 'OUT_OF_SERVICE']]);
    assert.deepEqual(v.live(), []);
  });

  it('removes an instance when its lease expires (delete event) and ignores events the snapshot already has', () => {
    const v = new RegistryView();
    v.applySnapshot([inst(a, 5), inst(b, 6)], 10);
    assert.equal(v.applyDelete(instanceKey('order', 'a'), 9), false, 'delete at rev 9 is older than the snapshot at 10');
    assert.deepEqual(ids(v.live()), ['a', 'b']);
    assert.equal(v.applyDelete(instanceKey('order', 'a'), 11), true);
    assert.deepEqual(ids(v.live()), ['b']);
  });

  it('ignores malformed values, unknown override values and foreign keys', () => {
    const v = new RegistryView();
    v.applySnapshot(
      [
        { key: instanceKey('order', 'bad'), value: '{not json', modRevision: 1 },
        { key: instanceKey('order', 'mismatch'), value: JSON.stringify(info('order', 'other')), modRevision: 2 },
        { key: overrideKey('order', 'a'), value: 'MAINTENANCE', modRevision: 3 },
        { key: '/brewops/services/order/locks/x', value: 'y', modRevision: 4 },
        inst(a, 5),
      ],
      10,
    );
    assert.deepEqual(v.all().map((s) => [s.instanceId, s.override]), [['a', null]]);
  });

  it('reports a change only when something changed, and caches results between changes', () => {
    const v = new RegistryView();
    v.applySnapshot([inst(a, 5)], 10);
    const first = v.live();
    assert.equal(v.live(), first, 'no recomputation without a change');
    assert.equal(v.applySnapshot([inst(a, 5)], 12), false, 'an identical re-sync is not a change');
    assert.equal(v.applyPut(inst(a, 13)), false, 'same value again is not a change');
    assert.equal(v.applyPut(inst({ ...a, registeredAt: '2024-02-02T00:00:00.000Z' }, 14)), true);
    assert.notEqual(v.live(), first);
  });

  it('a re-sync snapshot replaces the state (instances gone while disconnected disappear)', () => {
    const v = new RegistryView();
    v.applySnapshot([inst(a, 5), inst(b, 6)], 10);
    assert.equal(v.applySnapshot([inst(b, 6), inst(c, 15)], 20), true);
    assert.deepEqual(ids(v.live()), ['b', 'c']);
  });
});

describe('etcd health', () => {
  it('reports each transition once; a lease-invalid answer counts as etcd being up', () => {
    const events: string[] = [];
    const h = new EtcdHealth((up) => events.push(up ? 'up' : 'down'), async () => undefined, 60_000);
    assert.equal(h.isHealthy, false);
    h.ok();
    assert.equal(h.isHealthy, true);
    assert.deepEqual(events, [], 'first success is not a recovery');
    h.failed(new Error('14 UNAVAILABLE'));
    h.failed(new Error('14 UNAVAILABLE'));
    assert.equal(h.isHealthy, false);
    h.failed(new EtcdLeaseInvalidError('1'));
    assert.equal(h.isHealthy, true);
    assert.deepEqual(events, ['down', 'up']);
    h.close();
  });

  it('probes while down and recovers without other traffic', async () => {
    let probes = 0;
    const h = new EtcdHealth(() => undefined, async () => {
      probes += 1;
      if (probes < 2) throw new Error('still down');
    }, 10);
    h.failed(new Error('down'));
    // no fixed wait: timers run late on a loaded machine; only the outcome matters
    for (let waited = 0; !h.isHealthy && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    assert.equal(h.isHealthy, true);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(probes, 2, 'probing stops once healthy');
    h.close();
  });
});

describe('parseInstanceInfo: publicPort (an instance whose `port` is its admin listener)', () => {
  const key = { kind: 'instance' as const, service: 'gateway', instanceId: 'gateway-1' };
  const base = { service: 'gateway', instanceId: 'gateway-1', host: '127.0.0.1', port: 41000, version: '1', zone: 'local', registeredAt: '2026-01-01T00:00:00Z' };
  it('keeps a publicPort next to the registered port', () => {
    const i = parseInstanceInfo(JSON.stringify({ ...base, publicPort: 8080 }), key);
    assert.equal(i?.port, 41000);
    assert.equal(i?.publicPort, 8080);
  });
  it('has none when it is absent or not an integer', () => {
    assert.equal(parseInstanceInfo(JSON.stringify(base), key)?.publicPort, undefined);
    assert.equal(parseInstanceInfo(JSON.stringify({ ...base, publicPort: '8080' }), key)?.publicPort, undefined);
  });
});
