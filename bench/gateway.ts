/**
 * Gateway overhead (issue 10): direct-to-origin vs through the gateway, side by side in one run,
 * on loopback: throughput at saturation, and p50/p99 at a fixed moderate rate. Prints ratios.
 * Goals: gateway throughput ≥ 0.45 × direct; ≤ 1 ms added p50 at 1,000 req/s.
 *
 * Two pairings, both measured by default (`--origin raw|service|both`), interleaved round by round:
 * - `service` (the "direct-to-service"): a real brewops service as the origin, the member
 *   service started as the supervisor starts it (own process, OTel preloaded, info logs shipped over
 *   RabbitMQ and written to a log file, its own SQLite db in a temp dir, registered in etcd under a
 *   unique service name so it never mixes with the stack's `member`); route `GET /v1/members/m-100`
 *   (one SQLite read). The origin and the gateway run the same platform (Koa, OTel, pino, prom-client),
 *   so the ratio reads as "what a hop through the gateway costs next to the service's own work".
 * - `raw`: a bare node:http fixture (~0.03 ms CPU a request, no telemetry, no logs): the gateway's
 *   absolute cost; this ratio is far below the goal by construction (the fixture does nothing) and
 *   is the one to compare with "proxy vs a hello-world origin" figures.
 * Through the gateway: API-key auth on (`x-api-key`, SHA-256 lookup), rate limit per key (never
 * refusing), route decision, P2C load balancing with a breaker + timeout per attempt, one access
 * log line, one server + one client span, RED and client metrics. Every process writes its stdout
 * to a log file and exports spans to a local sink standing in for Zipkin.
 *
 * How to read it: throughput ratios on 2 shared cores are bounded by CPU: the load generator,
 * the gateway and the origin all compete for them, so the "CPU ms/request" lines (from
 * /proc/<pid>/stat, Linux) are the steadier figure; a busy machine moves throughput and p99 a lot
 * (the load average is printed at start and end). p50 at a fixed rate is the latency a request
 * pays for the extra hop when no core is saturated.
 *
 * Figures (2 shared cores, load average 2.3-2.8; full table and what they mean in
 * services/gateway/README.md, "Performance"), before → after the issue-10 cuts:
 *   service: throughput 0.38× → 0.47× direct (goal 0.45×); gateway CPU 0.60 → 0.37 ms/request;
 *            added p50 at 1,000 req/s 2-12 ms after (the box is near its limit), 1.06 ms at 500 req/s
 *   raw:     throughput 0.06× → 0.08×; gateway CPU 0.52 → 0.33 ms/request; added p50 at 1,000 req/s
 *            6.2 → 0.97 ms
 * Session 4 (load 3-5, A/B with BENCH_BUILD_ROOT against the session's start): own client spans and
 * asynchronous stdout took the gateway from 0.50-0.56 to 0.42-0.43 ms/request (raw origin); the
 * service ratio was 0.42-0.56× over five runs.
 * Session 5 (a machine about twice as fast, load 2-4): the platform's own server span and a smaller
 * span resource took the gateway to 0.20-0.23 ms/request (member origin) and the member to 0.11-0.12;
 * five runs of that build: ratio 0.46-0.48×, added p50 at 1,000 req/s 0.48-0.63 ms (and 1.01 once).
 *
 * Needs etcd on 127.0.0.1:2379 and RabbitMQ (log shipping) — `brewops up`, and a build.
 * Usage: npm run bench:gateway [-- --origin both --seconds 4 --rate 1000 --concurrency 32 --rounds 2 --warmup 8000]
 * (`--warmup`: requests through the gateway per pairing before measuring, half as many direct).
 * Env: BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (node args of the gateway);
 * BENCH_GATEWAY_TELEMETRY=off, BENCH_GATEWAY_LOG_LEVEL=warn (leave them out, both processes);
 * BENCH_BUILD_ROOT=<dir> (another build to compare with: its services/{gateway,member}/dist and
 * packages/platform/dist are run instead of this checkout's; the copy needs a node_modules whose
 * @brewops/platform points at its own platform, the other packages may link to this checkout's);
 * BENCH_GATEWAY_ENTRY=<main.js> (another gateway entry alone).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as amqp from 'amqplib';
import { Discovery, semconv } from '@brewops/platform';
import { fixedRate, saturate, type FixedRate, type Saturation } from './gateway-load.js';

const root = resolve(__dirname, '..', '..');
const buildRoot = resolve(process.env['BENCH_BUILD_ROOT'] ?? root);
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

interface Fixture { readonly id: string; readonly port: number; readonly proc: ChildProcess }
interface ClusterModule {
  uniqueService(prefix?: string): string;
  startFixtures(service: string, count: number): Promise<Fixture[]>;
  stopFixtures(list: readonly Fixture[]): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cluster = require(join(root, 'packages', 'platform', 'dist', 'test', 'integration', 'client-cluster.js')) as ClusterModule;

/** Share of both cores busy over `ms` (from /proc/stat). */
async function cpuBusy(ms: number): Promise<number> {
  const read = (): { idle: number; total: number } => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3]! + f[4]!, total: f.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  return b.total === a.total ? 0 : 1 - (b.idle - a.idle) / (b.total - a.total);
}

/**
 * Before each measured phase: waits (up to `maxMs`) until the stack's log queue is empty and the
 * machine is back under 40 % busy. Every request of a phase writes one or two access lines that
 * the stack's collector and OpenSearch index afterwards (~70 µs of CPU a line): a saturation phase
 * leaves 10,000-20,000 of them, and a fixed-rate phase started on top of that backlog measured the
 * backlog, not the hop. A phase's own lines are still indexed while it runs. Returns the ms waited.
 */
async function settle(ch: amqp.Channel | undefined, maxMs = 30_000): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < maxMs) {
    const depth = ch ? (await ch.checkQueue(semconv.QUEUE_LOGS)).messageCount : 0;
    if (depth === 0 && (await cpuBusy(500)) < 0.4) break;
    if (depth > 0) await new Promise((r) => setTimeout(r, 250));
  }
  return Date.now() - t0;
}

/**
 * Stands in for Zipkin: accepts span batches and drops them, so the bench processes export spans
 * as real ones do without filling the stack's Zipkin with bench traffic.
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
  const c = cpuSplit(pid);
  return c.user + c.system;
}

/** User and system CPU time a process has used so far, ms. */
function cpuSplit(pid: number | undefined): { user: number; system: number } {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return { user: (Number(f[11]) * 1000) / 100, system: (Number(f[12]) * 1000) / 100 }; // clock ticks of 10 ms
  } catch {
    return { user: NaN, system: NaN };
  }
}

interface Proc { readonly url: string; readonly proc: ChildProcess }

const telemetryArgs = (): string[] =>
  process.env['BENCH_GATEWAY_TELEMETRY'] === 'off' ? [] : ['--import', join(buildRoot, 'packages', 'platform', 'dist', 'src', 'telemetry', 'register.js')];

/**
 * A brewops service process as the supervisor starts it (packages/cli/src/supervisor/instances.ts):
 * `node --import register.js <entry>`, runtime env, stdout and stderr appended to a log file; waits
 * for its etcd registration. Its URL is the registration's `publicPort` when it has an admin
 * listener (the gateway), else `port`.
 */
async function startBrewopsProcess(
  service: string, entry: string, nodeArgs: readonly string[], stateDir: string, env: Record<string, string>,
): Promise<Proc> {
  const logFile = join(stateDir, `${service}.log`);
  const logFd = openSync(logFile, 'a');
  const proc = spawn(process.execPath, [...nodeArgs, ...telemetryArgs(), entry], {
    cwd: root,
    env: {
      ...process.env, BREWOPS_SERVICE: service, BREWOPS_INSTANCE_ID: `${service}-1`, PORT: '0', HOST: '127.0.0.1',
      BREWOPS_STATE_DIR: stateDir, LOG_LEVEL: process.env['BENCH_GATEWAY_LOG_LEVEL'] ?? 'info', ...env,
    },
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  const discovery = new Discovery({ hosts: ['http://127.0.0.1:2379'], logger: quiet });
  try {
    const watch = await discovery.watch(service);
    const deadline = Date.now() + 30_000;
    while (watch.instances().length === 0) {
      if (Date.now() > deadline || proc.exitCode !== null) {
        // the temp dir goes at the end of the run: the log's tail goes with the error
        throw new Error(`bench ${service} did not start; its log ends with:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const i = watch.instances()[0]!;
    await watch.close();
    return { url: `http://${i.host}:${i.publicPort ?? i.port}`, proc };
  } finally {
    await discovery.close();
  }
}

async function stopProcess(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 12_000))]);
  if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}

const fmt = (n: number, d = 0): string => n.toFixed(d).padStart(9);

/** Saturates `origin` in 1 s steps until `requests` answers went through (or 60 s passed). */
async function warmUp(t: Target, concurrency: number, requests: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  let done = 0;
  while (done < requests && Date.now() < deadline) done += (await saturate(t.origin, t.path, t.headers, concurrency, 1000)).requests;
}

interface Target { readonly origin: string; readonly path: string; readonly headers: Record<string, string> }

interface Pairing {
  readonly name: 'service' | 'raw';
  readonly title: string;
  readonly direct: Target;
  readonly via: Target;
  readonly originPid: number | undefined;
  readonly sat: { d: Saturation[]; g: Saturation[] };
  readonly fix: { d: FixedRate[]; g: FixedRate[] };
  /** CPU ms and requests at saturation: origin alone (direct), gateway and origin (through the gateway). */
  readonly cpu: { direct: number; directReqs: number; gateway: number; gatewaySystem: number; originVia: number; viaReqs: number };
}

function newPairing(name: Pairing['name'], title: string, direct: Target, via: Target, originPid: number | undefined): Pairing {
  return { name, title, direct, via, originPid, sat: { d: [], g: [] }, fix: { d: [], g: [] }, cpu: { direct: 0, directReqs: 0, gateway: 0, gatewaySystem: 0, originVia: 0, viaReqs: 0 } };
}

function report(p: Pairing, rate: number): void {
  const best = (xs: Saturation[]): Saturation => xs.reduce((a, b) => (b.rps > a.rps ? b : a));
  const median = (xs: FixedRate[], k: 'p50Ms' | 'p99Ms'): number => xs.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const sd = best(p.sat.d);
  const sg = best(p.sat.g);
  const p50d = median(p.fix.d, 'p50Ms');
  const p50g = median(p.fix.g, 'p50Ms');
  const p99d = median(p.fix.d, 'p99Ms');
  const p99g = median(p.fix.g, 'p99Ms');
  const errors = [...p.sat.d, ...p.sat.g, ...p.fix.d, ...p.fix.g].reduce((a, b) => a + b.errors, 0);
  const c = p.cpu;
  const origin = c.direct / c.directReqs;
  const gateway = c.gateway / c.viaReqs;
  const originVia = c.originVia / c.viaReqs;
  console.log(`\n[${p.name}] ${p.title}`);
  console.log(`                      direct   gateway     ratio`);
  console.log(`throughput req/s  ${fmt(sd.rps)} ${fmt(sg.rps)} ${fmt(sg.rps / sd.rps, 2)}x   (goal ≥ 0.45x)`);
  console.log(`p50 ms @${rate}/s   ${fmt(p50d, 2)} ${fmt(p50g, 2)} ${fmt(p50g - p50d, 2)} ms added (goal ≤ 1 ms)`);
  console.log(`p99 ms @${rate}/s   ${fmt(p99d, 2)} ${fmt(p99g, 2)} ${fmt(p99g / p99d, 2)}x`);
  // each round's fixed-rate pair ran back to back: its difference is the hop, the spread is the machine
  const added = p.fix.g.map((g, i) => (g.p50Ms - p.fix.d[i]!.p50Ms).toFixed(2));
  console.log(`added p50 per round  ${added.join(', ')} ms (the line above: median direct and median gateway p50)`);
  console.log(`achieved rate       ${fmt(p.fix.d[0]!.achievedRps)} ${fmt(p.fix.g[0]!.achievedRps)}   errors: ${errors}`);
  console.log(`CPU ms/request      ${fmt(origin, 3)} ${fmt(gateway, 3)} ${fmt(gateway / origin, 2)}x   (origin alone when direct | the gateway process; at saturation)`);
  console.log(`                              ${fmt(originVia, 3)}             (the origin, through the gateway)`);
  console.log(`gateway CPU in the kernel: ${((100 * c.gatewaySystem) / c.gateway).toFixed(0)} % (socket reads and writes on loopback)`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    origin: { type: 'string', default: 'both' },
    seconds: { type: 'string', default: '4' }, rate: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' }, rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '8000' },
  } });
  if (!['raw', 'service', 'both'].includes(values.origin)) throw new Error('--origin must be raw, service or both');
  const ms = Number(values.seconds) * 1000;
  const rate = Number(values.rate);
  const concurrency = Number(values.concurrency);
  const rounds = Number(values.rounds);
  const warmupRequests = Number(values.warmup);
  const withRaw = values.origin !== 'service';
  const withService = values.origin !== 'raw';

  const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
  const loadAtStart = load();
  const stateDir = mkdtempSync(join(tmpdir(), 'gwbench-'));
  const sink = await startSpanSink();
  const apiKey = randomBytes(24).toString('base64url');
  const keysFile = join(stateDir, 'api-keys.json');
  // a key whose own rate never refuses: the limiter runs (bucket lookup, headers) on every request
  writeFileSync(keysFile, JSON.stringify({ keys: [{ id: 'bench', sha256: createHash('sha256').update(apiKey).digest('hex'), rate: { perSecond: 1e9, burst: 1e9 } }] }));
  const headers = { 'x-api-key': apiKey }; // sent direct too (the origin ignores it): the same request both ways

  const rawService = cluster.uniqueService('gwbench-raw');
  const memberService = cluster.uniqueService('gwbench-member');
  const nodeArgs = (process.env['BENCH_GATEWAY_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  let fixture: Fixture | undefined;
  let member: Proc | undefined;
  let gw: Proc | undefined;
  try {
    if (withRaw) [fixture] = await cluster.startFixtures(rawService, 1);
    if (withService) {
      member = await startBrewopsProcess(memberService, join(buildRoot, 'services', 'member', 'dist', 'src', 'main.js'), [], stateDir, {
        ZIPKIN_URL: sink.url, MEMBER_DB: join(stateDir, 'member.db'),
      });
    }
    gw = await startBrewopsProcess(cluster.uniqueService('gwbench'), process.env['BENCH_GATEWAY_ENTRY'] ?? join(buildRoot, 'services', 'gateway', 'dist', 'src', 'main.js'), nodeArgs, stateDir, {
      ZIPKIN_URL: sink.url,
      GATEWAY_SERVICES: [withRaw ? rawService : '', withService ? memberService : ''].filter(Boolean).join(','),
      GATEWAY_AUTH: 'on', GATEWAY_API_KEYS_FILE: keysFile,
    });
    const pairings: Pairing[] = [];
    if (withService) {
      pairings.push(newPairing('service', 'origin: the member service (Koa, OTel, info logs, SQLite), GET /v1/members/m-100 — the issue\'s "direct-to-service"',
        { origin: member!.url, path: '/v1/members/m-100', headers },
        { origin: gw.url, path: `/api/${memberService}/v1/members/m-100`, headers }, member!.proc.pid));
    }
    if (withRaw) {
      pairings.push(newPairing('raw', 'origin: a bare node:http fixture (no telemetry, no logs), GET /v1/echo — the gateway\'s absolute cost',
        { origin: `http://127.0.0.1:${fixture!.port}`, path: '/v1/echo', headers },
        { origin: gw.url, path: `/api/${rawService}/v1/echo`, headers }, fixture!.proc.pid));
    }
    const gwPid = gw.proc.pid;
    // Warm-up: connections, the gateway's discovery watches, and above all the JIT. A gateway runs
    // for hours; until V8 has optimised its request path (a few thousand requests) it costs 3-5×
    // the CPU per request, and a 1 s warm-up measured that instead of the proxy.
    for (const p of pairings) {
      await warmUp(p.direct, concurrency, warmupRequests / 2);
      await warmUp(p.via, concurrency, warmupRequests);
    }
    // the stack's log queue, if there is one (a bench beside a stopped stack has none to wait for)
    const amqpConn = await amqp.connect(process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672').catch(() => undefined);
    const amqpCh = await amqpConn?.createChannel();
    amqpCh?.on('error', () => undefined);
    let settledMs = 0;
    const quietFirst = async (): Promise<void> => {
      settledMs += await settle(amqpCh);
    };
    for (let r = 0; r < rounds; r++) {
      for (const p of pairings) {
        await quietFirst();
        let o0 = cpuMs(p.originPid);
        const d = await saturate(p.direct.origin, p.direct.path, p.direct.headers, concurrency, ms);
        p.cpu.direct += cpuMs(p.originPid) - o0;
        p.cpu.directReqs += d.requests;
        p.sat.d.push(d);
        await quietFirst();
        o0 = cpuMs(p.originPid);
        const g0 = cpuSplit(gwPid);
        const g = await saturate(p.via.origin, p.via.path, p.via.headers, concurrency, ms);
        const g1 = cpuSplit(gwPid);
        p.cpu.gateway += g1.user + g1.system - g0.user - g0.system;
        p.cpu.gatewaySystem += g1.system - g0.system;
        p.cpu.originVia += cpuMs(p.originPid) - o0;
        p.cpu.viaReqs += g.requests;
        p.sat.g.push(g);
        await quietFirst();
        p.fix.d.push(await fixedRate(p.direct.origin, p.direct.path, p.direct.headers, rate, ms));
        await quietFirst();
        p.fix.g.push(await fixedRate(p.via.origin, p.via.path, p.via.headers, rate, ms));
      }
    }
    await amqpConn?.close().catch(() => undefined);
    console.log(`gateway bench (loopback, ${rounds} rounds, ${values.seconds} s each; saturation: ${concurrency} in flight; fixed rate: ${rate} req/s)`);
    console.log(`through the gateway: API-key auth, rate limit, route, P2C + breaker + timeout, access log, server + client span, metrics`);
    console.log(`load average at start: ${loadAtStart}; at end: ${load()} (2 shared cores: throughput and p99 move with it)`);
    console.log(`before each phase: waited for the stack's log queue to empty and the machine to drop under 40 % busy (the previous phase's access lines being indexed): ${(settledMs / 1000).toFixed(1)} s in all`);
    for (const p of pairings) report(p, rate);
  } finally {
    await stopProcess(gw?.proc);
    await stopProcess(member?.proc);
    if (fixture) await cluster.stopFixtures([fixture]);
    sink.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error('bench failed:', err);
  process.exit(1);
});
