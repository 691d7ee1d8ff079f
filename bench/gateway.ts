/**
 * Gateway overhead, direct-to-service vs through the gateway, side by side in one run, on
 * loopback: throughput at saturation, and p50/p99 at a fixed moderate rate. Prints ratios.
 * Goals (issue 10): gateway throughput ≥ 0.45 × direct; ≤ 1 ms added p50 at 1,000 req/s.
 * The gateway runs as in the stack (OTel preloaded, info logs; BENCH_GATEWAY_TELEMETRY=off,
 * BENCH_GATEWAY_LOG_LEVEL=warn to leave them out). Also prints CPU ms per request of the
 * upstream alone and of the gateway process (Linux), which a busy machine disturbs less.
 * Needs etcd on 127.0.0.1:2379 and RabbitMQ (the gateway's log shipping) — `brewops up`.
 * Usage: npm run bench:gateway [-- --seconds 4 --rate 1000 --concurrency 32 --rounds 2 --warmup 8000]
 * (`--warmup`: requests through the gateway before measuring, half as many direct).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/**
 * Stands in for Zipkin: accepts span batches and drops them, so the bench gateway exports spans
 * as a real one does without filling the stack's Zipkin with bench traffic.
 */
async function startSpanSink(): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(202).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/spans`, close: () => server.close() };
}

/** CPU time (user + system) a process has used so far, ms (Linux /proc; NaN elsewhere). */
function cpuMs(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

interface Gateway { readonly url: string; readonly proc: ChildProcess }

/**
 * The gateway as the supervisor starts it: OTel preloaded (spans exported, to the sink), info
 * logs (one access line per request, shipped over RabbitMQ; stdout discarded), auth middleware
 * on the path with a rate limit that never refuses. Its public URL is the registration's
 * `publicPort` (`port` is its admin listener).
 */
async function startGateway(upstream: string, zipkinUrl: string): Promise<Gateway> {
  const service = cluster.uniqueService('gwbench');
  // e.g. BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the gateway
  const nodeArgs = (process.env['BENCH_GATEWAY_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  // another build to compare with (e.g. a copy of services/gateway/dist and its platform)
  const entry = process.env['BENCH_GATEWAY_ENTRY'] ?? join(root, 'services', 'gateway', 'dist', 'src', 'main.js');
  const register = process.env['BENCH_GATEWAY_REGISTER'] ?? join(root, 'packages', 'platform', 'dist', 'src', 'telemetry', 'register.js');
  const telemetry = process.env['BENCH_GATEWAY_TELEMETRY'] === 'off' ? [] : ['--import', register];
  const proc = spawn(process.execPath, [...nodeArgs, ...telemetry, entry], {
    cwd: root,
    env: {
      ...process.env, BREWOPS_SERVICE: service, BREWOPS_INSTANCE_ID: `${service}-1`, PORT: '0', ZIPKIN_URL: zipkinUrl,
      LOG_LEVEL: process.env['BENCH_GATEWAY_LOG_LEVEL'] ?? 'info',
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
    return { url: `http://${i.host}:${i.publicPort ?? i.port}`, proc };
  } finally {
    await discovery.close();
  }
}

const fmt = (n: number, d = 0): string => n.toFixed(d).padStart(9);

/** Saturates `origin` in 1 s steps until `requests` answers went through (or 60 s passed). */
async function warmUp(origin: string, path: string, concurrency: number, requests: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  let done = 0;
  while (done < requests && Date.now() < deadline) done += (await saturate(origin, path, {}, concurrency, 1000)).requests;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    seconds: { type: 'string', default: '4' }, rate: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' }, rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '8000' },
  } });
  const ms = Number(values.seconds) * 1000;
  const rate = Number(values.rate);
  const concurrency = Number(values.concurrency);
  const rounds = Number(values.rounds);
  const warmupRequests = Number(values.warmup);
  const service = cluster.uniqueService('benchup');
  const sink = await startSpanSink();
  const [fixture] = await cluster.startFixtures(service, 1);
  const gw = await startGateway(service, sink.url);
  const direct = { origin: `http://127.0.0.1:${fixture!.port}`, path: '/v1/echo' };
  const via = { origin: gw.url, path: `/api/${service}/v1/echo` };
  try {
    // Warm-up: connections, the gateway's discovery watch, and above all the JIT. A gateway runs
    // for hours; until V8 has optimised its request path (a few thousand requests) it costs 3-5×
    // the CPU per request, and a 1 s warm-up measured that instead of the proxy.
    await warmUp(direct.origin, direct.path, concurrency, warmupRequests / 2);
    await warmUp(via.origin, via.path, concurrency, warmupRequests);
    const sat: { d: Saturation[]; g: Saturation[] } = { d: [], g: [] };
    const fix: { d: FixedRate[]; g: FixedRate[] } = { d: [], g: [] };
    // CPU per request at saturation: the gateway's own cost next to the upstream's, less noisy
    // than throughput on a shared machine
    const cpu = { upstream: 0, upstreamReqs: 0, gateway: 0, gatewayReqs: 0 };
    for (let r = 0; r < rounds; r++) {
      let f0 = cpuMs(fixture!.proc.pid);
      const d = await saturate(direct.origin, direct.path, {}, concurrency, ms);
      cpu.upstream += cpuMs(fixture!.proc.pid) - f0;
      cpu.upstreamReqs += d.requests;
      sat.d.push(d);
      f0 = cpuMs(gw.proc.pid);
      const g = await saturate(via.origin, via.path, {}, concurrency, ms);
      cpu.gateway += cpuMs(gw.proc.pid) - f0;
      cpu.gatewayReqs += g.requests;
      sat.g.push(g);
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
    const perReq = { upstream: cpu.upstream / cpu.upstreamReqs, gateway: cpu.gateway / cpu.gatewayReqs };
    console.log(`CPU ms/request      ${fmt(perReq.upstream, 3)} ${fmt(perReq.gateway, 3)} ${fmt(perReq.gateway / perReq.upstream, 1)}x   (upstream alone vs the gateway process, at saturation)`);
  } finally {
    const exited = new Promise((r) => gw.proc.once('exit', r));
    gw.proc.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 12_000))]);
    await cluster.stopFixtures([fixture!]);
    sink.close();
  }
}

main().catch((err: unknown) => {
  console.error('bench failed:', err);
  process.exit(1);
});
