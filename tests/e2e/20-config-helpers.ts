// Helpers of the 2x-config-* e2e tests: a private etcd, private member instances, metrics, pushes.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brewops, root, sleep } from '../support/stack.js';

export const ETCD_BIN = process.env['ETCD_BIN'] ?? '/usr/bin/etcd';

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** A private single-member etcd that can be stopped and started again with its data. */
export class PrivateEtcd {
  private proc: ChildProcess | undefined;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'brewops-e2e-etcd-'));
  private constructor(readonly port: number, private readonly peerPort: number) {}
  static async create(): Promise<PrivateEtcd> {
    return new PrivateEtcd(await freePort(), await freePort());
  }
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    const peer = `http://127.0.0.1:${this.peerPort}`;
    this.proc = spawn(ETCD_BIN, ['--name', 'e2e', '--data-dir', this.dataDir, '--listen-client-urls', this.url, '--advertise-client-urls', this.url,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `e2e=${peer}`, '--log-level', 'error'], { stdio: 'ignore' });
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        if ((await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(500) })).ok) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`private etcd on ${this.url} not healthy after 15 s`);
      await sleep(50);
    }
  }
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  }
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A member instance this test started (never one of the stack's), stdout in `logFile`. */
export class PrivateMember {
  private constructor(readonly id: string, readonly proc: ChildProcess, readonly logFile: string, readonly url: string) {}

  static async start(id: string, etcdUrl: string, stateDir: string): Promise<PrivateMember> {
    const logFile = join(stateDir, `${id}.log`);
    writeFileSync(logFile, '');
    const out = createWriteStream(logFile, { flags: 'a' });
    const proc = spawn(process.execPath, ['--import', join(root, 'packages/platform/dist/src/telemetry/register.js'), join(root, 'services/member/dist/src/main.js')], {
      cwd: root,
      env: { ...process.env, BREWOPS_SERVICE: 'member', BREWOPS_INSTANCE_ID: id, ETCD_HOSTS: etcdUrl, PORT: '0', HOST: '127.0.0.1', BREWOPS_STATE_DIR: join(stateDir, id), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.pipe(out);
    proc.stderr!.pipe(out);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const m = /ready on (http:\/\/[\d.]+:\d+)/.exec(readFileSync(logFile, 'utf8'));
      if (m) return new PrivateMember(id, proc, logFile, m[1]!);
      if (proc.exitCode !== null) throw new Error(`${id} exited with ${proc.exitCode}: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`${id} not ready after 30 s: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
      await sleep(100);
    }
  }

  log(): string {
    return readFileSync(this.logFile, 'utf8');
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000).then(() => this.proc.kill('SIGKILL'))]);
  }
}

/** The value of an unlabelled (or label-matched) sample in an instance's /metrics. */
export async function metric(instanceUrl: string, name: string, label = ''): Promise<number | undefined> {
  const text = await (await fetch(`${instanceUrl}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const [series, value] = line.split(' ');
    if (series === name || (label && series === `${name}{${label}}`)) return Number(value);
  }
  return undefined;
}

/** A copy of config/ with `edits` (file → text appended, or replaced when `replace`) applied. */
export function configCopy(edits: Record<string, string>, replace = false): string {
  const dir = mkdtempSync(join(tmpdir(), 'brewops-e2e-config-'));
  cpSync(join(root, 'config'), dir, { recursive: true });
  for (const [file, text] of Object.entries(edits)) {
    const path = join(dir, file);
    let prior = '';
    try {
      prior = replace ? '' : readFileSync(path, 'utf8');
    } catch {
      // a new file
    }
    writeFileSync(path, `${prior}\n${text}\n`);
  }
  return dir;
}

/** `brewops config push` with the given env overrides (ETCD_HOSTS of a private etcd). */
export function push(dir: string, env: string, etcdUrl?: string): { code: number; stdout: string; stderr: string } {
  const prior = process.env['ETCD_HOSTS'];
  if (etcdUrl) process.env['ETCD_HOSTS'] = etcdUrl;
  try {
    return brewops('config', 'push', '--env', env, '--dir', dir);
  } finally {
    if (etcdUrl) {
      if (prior === undefined) delete process.env['ETCD_HOSTS'];
      else process.env['ETCD_HOSTS'] = prior;
    }
  }
}

/** Request-log lines of `GET /v1/members/:id` in an instance's log text. */
export const memberRequestLines = (log: string): number => log.split('\n').filter((l) => l.includes('"GET /v1/members/:id 200"')).length;
