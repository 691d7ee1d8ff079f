/**
 * Test harness for the gateway e2e files (10-gateway-*.test.ts): a gateway process of its own
 * (unique service name, port 0, registered in the real etcd) in front of fixture upstream
 * instances (separate processes, see packages/platform/test/integration/client-upstream-fixture.ts).
 * Credentials are made here: a keys file with SHA-256 hashes, HS256 and RS256 (JWKS) tokens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Discovery } from '@brewops/platform';
import { root } from '../support/stack.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

export interface Fixture {
  readonly id: string;
  readonly port: number;
  readonly proc: ChildProcess;
  setMode(mode: 'ok' | 'fail' | 'hang'): Promise<void>;
}
interface ClusterModule {
  uniqueService(prefix?: string): string;
  startFixtures(service: string, count: number, ttlSeconds?: number): Promise<Fixture[]>;
  stopFixtures(list: readonly Fixture[]): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const cluster = require(join(root, 'packages', 'platform', 'dist', 'test', 'integration', 'client-cluster.js')) as ClusterModule;

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export function signHs256(secret: string, claims: Record<string, unknown>): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  return `${head}.${body}.${createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
}

export function signRs256(key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const body = b64url(JSON.stringify(claims));
  return `${head}.${body}.${sign('sha256', Buffer.from(`${head}.${body}`), key).toString('base64url')}`;
}

export const nowS = (): number => Math.floor(Date.now() / 1000);

/** Keys, secrets and a JWKS server the test gateway trusts. */
export interface Credentials {
  readonly dir: string;
  readonly keysFile: string;
  readonly keys: { valid: string; expired: string; disabled: string; limited: string; orderOnly: string };
  readonly hsSecret: string;
  readonly rsKey: KeyObject;
  readonly rsKid: string;
  readonly jwksUrl: string;
  close(): Promise<void>;
}

export async function makeCredentials(): Promise<Credentials> {
  const dir = mkdtempSync(join(tmpdir(), 'gwtest-'));
  const rnd = (): string => randomBytes(24).toString('base64url');
  const keys = { valid: rnd(), expired: rnd(), disabled: rnd(), limited: rnd(), orderOnly: rnd() };
  const h = (k: string): string => createHash('sha256').update(k).digest('hex');
  const keysFile = join(dir, 'api-keys.json');
  writeFileSync(keysFile, JSON.stringify({
    keys: [
      { id: 'valid', sha256: h(keys.valid) },
      { id: 'expired', sha256: h(keys.expired), expiresAt: '2020-01-01T00:00:00Z' },
      { id: 'disabled', sha256: h(keys.disabled), disabled: true },
      { id: 'limited', sha256: h(keys.limited), rate: { perSecond: 1, burst: 3 } },
      { id: 'order-only', sha256: h(keys.orderOnly), services: ['order'] },
    ],
  }), { mode: 0o600 });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsKid = 'k1';
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: rsKid, alg: 'RS256', use: 'sig' };
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  return {
    dir, keysFile, keys, hsSecret: rnd(), rsKey: privateKey, rsKid, jwksUrl,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface TestGateway {
  /** The public port: /api/** (and a JSON 404 for anything else, /metrics and /health/* included). */
  readonly url: string;
  /** The admin listener (its registered `port`): /metrics and /health/*. */
  readonly adminUrl: string;
  readonly proc: ChildProcess;
  stop(): Promise<void>;
}

/** Starts services/gateway as its own process under a unique name; resolves once it is registered. */
export async function startGateway(env: Record<string, string>): Promise<TestGateway> {
  const service = cluster.uniqueService('gwtest');
  const proc = spawn(process.execPath, [join(root, 'services', 'gateway', 'dist', 'src', 'main.js')], {
    cwd: root,
    env: { ...process.env, BREWOPS_SERVICE: service, BREWOPS_INSTANCE_ID: `${service}-1`, PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const discovery = new Discovery({ hosts: ['http://127.0.0.1:2379'], logger: quiet });
  try {
    const watch = await discovery.watch(service);
    const deadline = Date.now() + 30_000;
    while (watch.instances().length === 0) {
      if (proc.exitCode !== null) throw new Error(`test gateway exited with ${proc.exitCode}`);
      if (Date.now() > deadline) throw new Error('test gateway did not register within 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const i = watch.instances()[0]!;
    await watch.close();
    return {
      url: `http://${i.host}:${i.publicPort ?? i.port}`,
      adminUrl: `http://${i.host}:${i.port}`,
      proc,
      stop: () => new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => { proc.kill('SIGKILL'); resolve(); }, 12_000).unref();
      }),
    };
  } finally {
    await discovery.close();
  }
}
