/**
 * Gateway overhead, direct-to-service vs through the gateway, side by side in one run, on
 * loopback: throughput at saturation, and p50/p99 at a fixed moderate rate. Prints ratios.
 * Goals (issue 10): gateway throughput ≥ 0.45 × direct; ≤ 1 ms added p50 at 1,000 req/s.
 * Needs etcd on 127.0.0.1:2379 and RabbitMQ (the gateway's log shipping) — `brewops up`.
 * Usage: npm run bench:gateway [-- --seconds 4 --rate 1000 --concurrency 32 --rounds 2]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Discovery } from '@brewops/platform';
import { fixedRate, saturate, type FixedRate, type Saturation } from './gateway-load.js';

const root = resolve(__dirname, '..', '..');
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

interface Fixture { readonly id: string; readonly port: number; readonly proc: ChildProcess }
interface ClusterModule {
  uniqueService(prefix?: string): string;
  startFixtures(service: string, count: number): Promise<Fixture[]>;
  stopFixtures(list: readonly Fixture[]): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cluster = require(join(root, 'packages', 'platform', 'dist', 'test', 'integration', 'client-cluster.js')) as ClusterModule;

async function startGateway(upstream: string): Promise<{ url: string; proc: ChildProcess }> {
  const service = cluster.uniqueService('gwbench');
  // e.g. BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the gateway
  const nodeArgs = (process.env['BENCH_GATEWAY_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, join(root, 'services', 'gateway', 'dist', 'src', 'main.js')], {
    cwd: root,
    env: {
      ...process.env, BREWOPS_SERVICE: service, BREWOPS_INSTANCE_ID: `${service}-1`, PORT: '0', LOG_LEVEL: 'warn',
      GATEWAY_SERVICES: upstream, GATEWAY_AUTH: 'off', GATEWAY_ANON_RATE_PER_SECOND: '1000000', GATEWAY_ANON_RATE_BURST: '1000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const discovery = new Discovery({ hosts: ['http://127.0.0.1:2379'], logger: quiet });
  try {
    const watch = await discovery.watch(service);
    const deadline = Date.now() + 30_000;
    while (watch.instances().length === 0) {
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error('bench gateway did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    const i = watch.instances()[0]!;
    await watch.close();
    return { url: `http://${i.host}:${i.port}`, proc };
  } finally {
    await discovery.close();
  }
}

const fmt = (n: number, d = 0): string => n.toFixed(d).padStart(9);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    seconds: { type: 'string', default: '4' }, rate: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' }, rounds: { type: 'string', default: '2' },
  } });
  const ms = Number(values.seconds) * 1000;
  const rate = Number(values.rate);
  const concurrency = Number(values.concurrency);
  const rounds = Number(values.rounds);
  const service = cluster.uniqueService('benchup');
  const [fixture] = await cluster.startFixtures(service, 1);
  const gw = await startGateway(service);
  const direct = { origin: `http://127.0.0.1:${fixture!.port}`, path: '/v1/echo' };
  const via = { origin: gw.url, path: `/api/${service}/v1/echo` };
  try {
    // warm-up: connections, JIT, the gateway's discovery watch
    await saturate(direct.origin, direct.path, {}, 8, 500);
    await saturate(via.origin, via.path, {}, 8, 1000);
    const sat: { d: Saturation[]; g: Saturation[] } = { d: [], g: [] };
    const fix: { d: FixedRate[]; g: FixedRate[] } = { d: [], g: [] };
    for (let r = 0; r < rounds; r++) {
      sat.d.push(await saturate(direct.origin, direct.path, {}, concurrency, ms));
      sat.g.push(await saturate(via.origin, via.path, {}, concurrency, ms));
      fix.d.push(await fixedRate(direct.origin, direct.path, {}, rate, ms));
      fix.g.push(await fixedRate(via.origin, via.path, {}, rate, ms));
    }
    const best = (xs: Saturation[]): Saturation => xs.reduce((a, b) => (b.rps > a.rps ? b : a));
    const median = (xs: FixedRate[], k: 'p50Ms' | 'p99Ms'): number => xs.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const sd = best(sat.d);
    const sg = best(sat.g);
    const p50d = median(fix.d, 'p50Ms');
    const p50g = median(fix.g, 'p50Ms');
    const p99d = median(fix.d, 'p99Ms');
    const p99g = median(fix.g, 'p99Ms');
    const errors = [...sat.d, ...sat.g, ...fix.d, ...fix.g].reduce((a, b) => a + b.errors, 0);
    console.log(`gateway bench (loopback, ${rounds} rounds, ${values.seconds} s each; saturation: ${concurrency} in flight; fixed rate: ${rate} req/s)`);
    console.log(`                      direct   gateway     ratio`);
    console.log(`throughput req/s  ${fmt(sd.rps)} ${fmt(sg.rps)} ${fmt(sg.rps / sd.rps, 2)}x   (goal ≥ 0.45x)`);
    console.log(`p50 ms @${rate}/s   ${fmt(p50d, 2)} ${fmt(p50g, 2)} ${fmt(p50g - p50d, 2)} ms added (goal ≤ 1 ms)`);
    console.log(`p99 ms @${rate}/s   ${fmt(p99d, 2)} ${fmt(p99g, 2)} ${fmt(p99g / p99d, 2)}x`);
    console.log(`achieved rate       ${fmt(fix.d[0]!.achievedRps)} ${fmt(fix.g[0]!.achievedRps)}   errors: ${errors}`);
  } finally {
    const exited = new Promise((r) => gw.proc.once('exit', r));
    gw.proc.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 12_000))]);
    await cluster.stopFixtures([fixture!]);
  }
}

main().catch((err: unknown) => {
  console.error('bench failed:', err);
  process.exit(1);
});
