/**
 * Control-loop benchmark (issue 8) on the live local stack (`brewops up`): for each scenario,
 * injected on one member instance while GET load runs through the gateway at a fixed rate, the
 * time to detect, to reroute, to recover (reinstated, and the reinstatement held) and to pass
 * the verification window, and the client-visible errors — printed in a table beside the
 * anchors' figures. Times are from the injection: kill -9, SIGSTOP, or the fault flag written to
 * member's config in etcd (as `brewops chaos` does). The controller is switched to acting for the
 * run (`dryRun: false` through `brewops config push`) and the repository's config/ is pushed
 * again at the end.
 * Usage: npm run bench:controller [-- --rate 200 --only crash,hang]
 */
import { parseArgs } from 'node:util';
import { readState, supervisorClient } from '@brewops/cli';
import { ConfigStore, Discovery } from '@brewops/platform';
import { clearFlags, setFlags, type PriorFlags } from '../packages/cli/dist/src/chaos/fault-config.js';
import { eventually, sleep, urls } from '../tests/dist/support/stack.js';
import { incidents, load, pushWith, restoreConfig } from '../tests/dist/e2e/70-controller-helpers.js';
import type { Incident } from '../tests/dist/e2e/70-controller-helpers.js';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '200' }, only: { type: 'string' } } });
const rate = Number(values.rate);
if (!Number.isFinite(rate) || rate <= 0 || rate > 2000) {
  console.error(`bench:controller: --rate must be a number of requests per second in (0, 2000], got "${values.rate}"`);
  process.exit(2);
}
const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const supervisor = supervisorClient(readState());
const discovery = new Discovery({ hosts: [urls.etcd()], logger: quiet as never });
// the dev key's bucket (perKey 100/s) would turn the fixed rate into 429s
const gatewayLayer = { 'services/gateway.<env>.yaml': 'rateLimits:\n  "key:dev":\n    requestsPerSecond: 5000\n    burst: 10000\n' };

async function pid(id: string): Promise<number> {
  const i = (await supervisor.instances()).find((x) => x.id === id);
  if (!i?.pid) throw new Error(`${id} has no pid`);
  return i.pid;
}

async function settled(): Promise<void> {
  await eventually('both members healthy and in service', async () => {
    const body = await incidents().catch(() => undefined);
    const members = body?.instances.filter((i) => i.service === 'member') ?? [];
    const listed = await discovery.list('member').catch(() => []);
    return members.length >= 2 && members.every((m) => m.state === 'healthy' && m.pending === null)
      && listed.every((l) => l.override === null) && (body?.incidents ?? []).every((i) => i.status !== 'open') ? true : undefined;
  }, 90_000, 200);
}

interface Scenario { name: string; instance: string; inject(): Promise<void>; clear(): Promise<void>; goalMs: number }
// Fault flags go straight into member's config document in etcd, as `brewops chaos` writes them
// (instances apply them within ~10–40 ms): the clock starts at the write, not at a CLI start.
const store = new ConfigStore({ hosts: [urls.etcd()] });
let prior: PriorFlags = {};
const fault = (flags: Record<string, unknown>): Pick<Scenario, 'inject' | 'clear'> => ({
  inject: async () => { prior = (await setFlags(store, 'member', 'member-1', flags, 'bench:controller')).prior; },
  clear: async () => { await clearFlags(store, 'member', 'member-1', prior, 'bench:controller (cleared)'); },
});
let stopped = 0;
const scenarios: Scenario[] = [
  { name: 'crash', instance: 'member-1', goalMs: 1000, inject: async () => process.kill(await pid('member-1'), 'SIGKILL'), clear: async () => undefined },
  {
    name: 'hang', instance: 'member-2', goalMs: 2000,
    inject: async () => { stopped = await pid('member-2'); process.kill(stopped, 'SIGSTOP'); },
    clear: async () => { try { process.kill(stopped, 'SIGCONT'); } catch { /* replaced */ } },
  },
  { name: 'error storm', instance: 'member-1', goalMs: 2000, ...fault({ errorRatio: 1 }) },
  { name: 'slow responses', instance: 'member-1', goalMs: 2000, ...fault({ latencyMs: 1500 }) },
];

const at = (inc: Incident, t0: number, pred: (t: Incident['timeline'][number]) => boolean): number | undefined => {
  const e = inc.timeline.find(pred);
  return e ? Date.parse(e.at) - t0 : undefined;
};
const s = (ms: number | undefined): string => (ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`);

async function main(): Promise<void> {
  const only = values.only?.split(',').map((x) => x.trim());
  await pushWith(false, gatewayLayer);
  await settled();
  const rows: string[][] = [];
  for (const sc of scenarios.filter((x) => !only || only.includes(x.name.split(' ')[0]!))) {
    const l = load(rate);
    await sleep(1000);
    const t0 = Date.now();
    await sc.inject();
    const rerouted = await eventually(`${sc.instance} rerouted`, async () =>
      ((await discovery.list('member')).find((i) => i.instanceId === sc.instance)?.override === 'OUT_OF_SERVICE' ? Date.now() : undefined), 30_000, 10).catch(() => undefined);
    await sleep(1000);
    await sc.clear();
    const inc = await eventually(`the incident of ${sc.instance}`, async () =>
      (await incidents()).incidents.find((i) => i.instanceId === sc.instance && Date.parse(i.openedAt) >= t0 - 1000 && i.status !== 'open'), 90_000, 50);
    await settled();
    const seen = await l.stop();
    const reroute = rerouted === undefined ? undefined : rerouted - t0;
    // recovered = back in traffic for good (the reinstatement whose verification window passed);
    // verified = the end of that window, when the incident closed
    const recovered = inc.durations['recoveryMs'] == null ? undefined : Date.parse(inc.failingSince) + inc.durations['recoveryMs'] - t0;
    const verified = inc.closedAt ? Date.parse(inc.closedAt) - t0 : undefined;
    rows.push([sc.name, s(at(inc, t0, (t) => t.type === 'suspect')), s(reroute), s(recovered), s(verified),
      `${seen.failed}/${seen.total} (${((100 * seen.failed) / Math.max(1, seen.total)).toFixed(2)} %)`,
      `reroute ≤ ${sc.goalMs / 1000} s: ${reroute !== undefined && reroute <= sc.goalMs ? 'met' : 'NOT met'}; recovered ≤ 10 s: ${recovered !== undefined && recovered <= 10_000 ? 'met' : 'NOT met'}`]);
    console.error(`  ${sc.name}: ${rows.at(-1)!.join(' | ')}`);
  }
  const head = ['scenario', 'detect', 'reroute (override in etcd)', 'recovered (reinstated)', 'verified (window passed)', `client errors at ${rate} req/s`, 'goal'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n${rows.map(line).join('\n')}`);
  console.log(`\nanchors (time to take a failed instance out of traffic): Kubernetes default probes ~20–31 s · Prometheus + Alertmanager defaults ~150 s · Eureka + Ribbon worst ~330 s · HAProxy ~4–6 s.`);
  console.log(`goals: crash → rerouted ≤ 1 s, hang and error storm → ≤ 2 s, recovered ≤ 10 s, ≤ 0.1 % client errors during one crash at 200 req/s.`);
}

main()
  .catch((err: unknown) => {
    console.error(`bench:controller failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await restoreConfig().catch(() => undefined);
    await discovery.close();
    store.close();
  });
