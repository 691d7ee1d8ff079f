/**
 * Live policies against the running stack, without a restart of anything:
 * - a key added to the gateway's keys file is accepted, and refused again once removed;
 * - `rateLimits."key:<id>"` pushed lower: that key gets 429 + Retry-After while the dev key still
 *   passes; pushed back: 200 again;
 * - `upstreams.<svc>` written to a gateway's config (timeout 300 ms, breaker threshold 2): the breaker
 *   of a hanging instance opens after exactly 2 timeouts (the default threshold is 5) while clients
 *   see only 200s (retried on the other instance). This one runs its own gateway and upstream
 *   fixtures (as 12-gateway-lb) so other tests' traffic cannot add to the count.
 * Every step checks that `brewops_config_revision` moved on the gateway concerned. The stack's
 * config (pushed again from config/) and the keys file (its original bytes) are restored at the end.
 * Uses two API keys of its own (one limited, one not), so the dev key's bucket, shared with other
 * tests, is never lowered nor counted on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigStore, Discovery, semconv } from '@brewops/platform';
import { brewops, eventually, root, urls } from '../support/stack.js';
import { gatewayAuthHeaders } from '../support/gateway-auth.js';
import { configCopy, metric, push } from './20-config-helpers.js';
import { cluster } from './10-gateway-harness.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const stateDir = process.env['BREWOPS_HOME'] ?? join(root, '.brewops');
const keysFile = join(stateDir, 'secrets', 'gateway-api-keys.json');
const store = new ConfigStore({ hosts: [urls.etcd()] });
const dirs: string[] = [];
const run = randomBytes(3).toString('hex');
/** `limited` gets a rate limit of its own; `other` shows other keys are unaffected and carries the breaker test's traffic. */
const keys = {
  limited: { id: `e2e-live-${run}-a`, key: randomBytes(24).toString('base64url') },
  other: { id: `e2e-live-${run}-b`, key: randomBytes(24).toString('base64url') },
};
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
let originalKeys: string | undefined;
let env = 'dev';
let gateway = '';
/** The stack gateway's admin listener (/metrics): its registered `port`; `publicPort` is `gateway`'s. */
let gatewayAdmin = '';

const lookup = (key: string): Promise<Response> => fetch(`${gateway}/api/member/v1/members/m-100`, { headers: { 'x-api-key': key } });
const devKey = (): string => gatewayAuthHeaders()['x-api-key'] ?? '';
/** Authenticated (the dev key may be rate limited by other tests' load: 429 still means a known key). */
const known = (status: number): boolean => status === 200 || status === 429;

/** Sum of a gateway's samples of `name` whose labels include all of `labels`. */
async function gatewayMetric(base: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)))
    .reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** services/gateway as a process of its own under a unique name, in front of `upstream` (auth off). */
async function startPrivateGateway(upstream: string): Promise<{ service: string; url: string; adminUrl: string; stop(): Promise<void> }> {
  const service = cluster.uniqueService('gwlivecfg');
  const proc = spawn(process.execPath, [join(root, 'services', 'gateway', 'dist', 'src', 'main.js')], {
    cwd: root,
    env: { ...process.env, BREWOPS_SERVICE: service, BREWOPS_INSTANCE_ID: `${service}-1`, PORT: '0', LOG_LEVEL: 'warn', GATEWAY_SERVICES: upstream, GATEWAY_AUTH: 'off' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = (): Promise<void> => new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
    setTimeout(() => { proc.kill('SIGKILL'); resolve(); }, 12_000).unref();
  });
  const discovery = new Discovery({ hosts: [urls.etcd()], logger: quiet as never });
  try {
    const found = await eventually('the private gateway registered', async () => {
      if (proc.exitCode !== null) throw new Error(`private gateway exited with ${proc.exitCode}`);
      return (await discovery.list(service))[0];
    }, 30_000, 50);
    // `port` is the gateway's admin listener (/metrics, /health/*); `publicPort` serves /api/**
    return { service, url: `http://${found.host}:${found.publicPort ?? found.port}`, adminUrl: `http://${found.host}:${found.port}`, stop };
  } catch (err) {
    await stop();
    throw err;
  } finally {
    await discovery.close();
  }
}

/** Waits until every instance URL applies the current revision of `service`; returns that revision. */
async function applied(service: string, instanceUrls: readonly string[]): Promise<number> {
  const revision = (await store.read(service))!.revision;
  await eventually(`${service} revision ${revision} applied`, async () =>
    (await Promise.all(instanceUrls.map((u) => metric(u, semconv.METRIC_CONFIG_REVISION)))).every((v) => v === revision) ? true : undefined, 15_000, 20);
  return revision;
}

/** Pushes config/ plus new per-environment layer files (`services/<svc>.<env>.yaml`). */
function pushLayers(layers: Record<string, string>): void {
  const dir = configCopy(Object.fromEntries(Object.entries(layers).map(([svc, text]) => [`services/${svc}.${env}.yaml`, text])));
  dirs.push(dir);
  const r = push(dir, env);
  assert.equal(r.code, 0, r.stderr);
}

/** The admin URL of the registered gateway instance whose public port is `publicUrl`'s (the URL itself for an instance without `publicPort`). */
async function adminUrlOf(publicUrl: string): Promise<string> {
  const port = Number(new URL(publicUrl).port);
  const discovery = new Discovery({ hosts: [urls.etcd()], logger: quiet as never });
  try {
    const found = (await discovery.list('gateway')).find((i) => (i.publicPort ?? i.port) === port);
    assert.ok(found, `no gateway instance registered with public port ${port}`);
    return `http://${found.host}:${found.port}`;
  } finally {
    await discovery.close();
  }
}

function pushBaseline(): void {
  const r = brewops('config', 'push', '--env', env);
  assert.equal(r.code, 0, r.stderr);
}

before(async () => {
  env = (await store.read('gateway').catch(() => null))?.document.env ?? 'dev';
  gateway = urls.gateway();
  gatewayAdmin = await adminUrlOf(gateway);
  originalKeys = readFileSync(keysFile, 'utf8');
  pushBaseline();
  await applied('gateway', [gatewayAdmin]);
});

after(async () => {
  if (originalKeys !== undefined) writeFileSync(keysFile, originalKeys, { mode: 0o600 });
  const r = brewops('config', 'push', '--env', env);
  store.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  assert.equal(r.code, 0, `restoring the stack's config failed: ${r.stderr}`);
});

describe('live policies without a restart', { timeout: 180_000 }, () => {
  test('keys added to the keys file are accepted without a restart', async () => {
    assert.equal((await lookup(keys.limited.key)).status, 401);
    const doc = JSON.parse(originalKeys!) as { keys: unknown[] };
    const added = Object.values(keys).map((k) => ({ id: k.id, sha256: sha256(k.key) }));
    const t0 = performance.now();
    writeFileSync(keysFile, `${JSON.stringify({ keys: [...doc.keys, ...added] }, null, 2)}\n`, { mode: 0o600 });
    await eventually('the new keys accepted', async () => ((await lookup(keys.limited.key)).status === 200 ? true : undefined), 10_000, 20);
    console.log(`  keys file change accepted by the running gateway after ${(performance.now() - t0).toFixed(0)} ms`);
    assert.equal((await lookup(keys.other.key)).status, 200);
    assert.ok(known((await lookup(devKey())).status), 'the dev key was lost');
  });

  test('a lowered rate limit for one key: 429 + Retry-After on its next requests, other keys unaffected; raised: 200 again', async () => {
    const before = await metric(gatewayAdmin, semconv.METRIC_CONFIG_REVISION);
    pushLayers({ gateway: `rateLimits:\n  "key:${keys.limited.id}":\n    requestsPerSecond: 0.2\n    burst: 2` });
    const lowered = await applied('gateway', [gatewayAdmin]);
    assert.ok(lowered > (before ?? 0), 'the gateway revision metric did not move');
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await lookup(keys.limited.key);
      statuses.push(res.status);
      if (res.status === 429) refused ??= res;
      else await res.arrayBuffer();
    }
    assert.ok(refused, `no 429 after lowering the limit to 2 requests: ${statuses.join(',')}`);
    assert.deepEqual(statuses.slice(2), [429, 429, 429], `statuses ${statuses.join(',')}`);
    assert.equal(Number(refused.headers.get('retry-after')), 5, 'Retry-After is not 1 token at 0.2/s');
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'rate_limited');
    assert.equal((await lookup(keys.other.key)).status, 200, 'another key was limited too');

    pushLayers({ gateway: `rateLimits:\n  "key:${keys.limited.id}":\n    requestsPerSecond: 1000\n    burst: 1000` });
    const raised = await applied('gateway', [gatewayAdmin]);
    assert.ok(raised > lowered);
    const after: number[] = [];
    for (let i = 0; i < 10; i++) after.push((await lookup(keys.limited.key)).status);
    assert.deepEqual(after, Array(10).fill(200), `still refused after raising the limit: ${after.join(',')}`);
  });

  test('a lowered breaker threshold: the hanging instance\'s breaker opens after 2 timeouts, not 5; clients see 200s', async () => {
    // A gateway and two upstream instances of its own (as 12-gateway-lb), so other tests' traffic
    // cannot add failures to the count: the config document is written to its etcd key as a push would.
    const svc = cluster.uniqueService('gwlive');
    const fixtures = await cluster.startFixtures(svc, 2);
    const gw = await startPrivateGateway(svc);
    try {
      const f = fixtures[0]!;
      const labels = { upstream_service: svc, upstream_instance: f.id };
      const echo = async (): Promise<number> => {
        const res = await fetch(`${gw.url}/api/${svc}/v1/echo`, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        return res.status;
      };
      for (let i = 0; i < 6; i++) assert.equal(await echo(), 200);
      const before = (await metric(gw.adminUrl, semconv.METRIC_CONFIG_REVISION)) ?? 0;
      const revision = await store.writeAll([{
        format: 1, service: gw.service, env, pushedAt: new Date().toISOString(), origin: 'push', sources: {},
        config: { upstreams: { [svc]: { timeoutMs: 300, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 } } } },
      }]);
      await eventually('the private gateway applies the config', async () => ((await metric(gw.adminUrl, semconv.METRIC_CONFIG_REVISION)) === revision ? true : undefined), 15_000, 20);
      assert.ok(revision > before, 'the revision metric did not move');

      await f.setMode('hang');
      const m = (name: string, extra: Record<string, string> = {}): Promise<number> => gatewayMetric(gw.adminUrl, name, { ...labels, ...extra });
      const timeouts0 = await m('brewops_client_errors_total', { error_type: 'timeout' });
      const statuses: number[] = [];
      let timeoutsAtOpen = -1;
      for (let i = 0; i < 40 && timeoutsAtOpen < 0; i++) {
        statuses.push(await echo());
        if ((await m('brewops_client_breaker_state')) === 2) timeoutsAtOpen = (await m('brewops_client_errors_total', { error_type: 'timeout' })) - timeouts0;
      }
      console.log(`  breaker of ${f.id} open after ${timeoutsAtOpen} timeouts (pushed threshold 2, default 5), ${statuses.length} requests, statuses ${[...new Set(statuses)].join(',')}`);
      assert.equal(timeoutsAtOpen, 2, `the breaker did not open at the pushed threshold (timeouts counted when open: ${timeoutsAtOpen})`);
      assert.deepEqual(statuses.filter((st) => st !== 200), [], 'a client saw an error: timeouts were not retried on the other instance');
      // open for 60 s as pushed: no traffic reaches the hanging instance, answers are fast again
      const timeoutsOpen = await m('brewops_client_errors_total', { error_type: 'timeout' });
      for (let i = 0; i < 10; i++) assert.equal(await echo(), 200);
      assert.equal(await m('brewops_client_errors_total', { error_type: 'timeout' }), timeoutsOpen, 'the open breaker let requests through');
    } finally {
      await gw.stop();
      await cluster.stopFixtures(fixtures);
      await store.client.delete().key(semconv.configKey(gw.service)).exec().catch(() => undefined);
    }
  });

  test('keys removed from the keys file are refused again', async () => {
    writeFileSync(keysFile, originalKeys!, { mode: 0o600 });
    await eventually('the removed keys refused', async () => ((await lookup(keys.other.key)).status === 401 ? true : undefined), 10_000, 20);
    assert.equal((await lookup(keys.limited.key)).status, 401);
    assert.ok(known((await lookup(devKey())).status), 'the dev key was lost');
  });
});
