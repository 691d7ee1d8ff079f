// Test fixtures: a private etcd on free ports, free ports, polling, and service processes.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..', '..', '..', '..');
const ETCD_BIN = process.env['ETCD_BIN'] ?? '/usr/bin/etcd';

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A private single-member etcd on free ports with a temp data dir; never the shared one. */
export class PrivateEtcd {
  private proc: ChildProcess | undefined;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'brewops-ctl-etcd-'));
  private constructor(readonly clientPort: number, private readonly peerPort: number) {}

  static async start(): Promise<PrivateEtcd> {
    if (!existsSync(ETCD_BIN)) throw new Error(`etcd binary not found at ${ETCD_BIN} (brewops up installs etcd-server)`);
    const e = new PrivateEtcd(await freePort(), await freePort());
    await e.run();
    return e;
  }

  get url(): string {
    return `http://127.0.0.1:${this.clientPort}`;
  }

  private async run(): Promise<void> {
    const peer = `http://127.0.0.1:${this.peerPort}`;
    let stderr = '';
    const proc = spawn(ETCD_BIN, [
      '--name', 'ctl', '--data-dir', this.dataDir,
      '--listen-client-urls', this.url, '--advertise-client-urls', this.url,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `ctl=${peer}`, '--log-level', 'error', '--logger', 'zap',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    this.proc = proc;
    await waitFor(`etcd on ${this.url}`, async () => {
      if (proc.exitCode !== null) throw new Error(`etcd exited with ${proc.exitCode}: ${stderr}`);
      try {
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(500) });
        return res.ok && ((await res.json()) as { health?: string }).health === 'true';
      } catch {
        return false;
      }
    }, 15_000, 50);
  }

  async destroy(): Promise<void> {
    const proc = this.proc;
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Starts `node <entry>` with `env`; its output is kept (last 8 kB) for failure messages. */
export function startNode(entry: string, env: NodeJS.ProcessEnv): ChildProcess & { output: () => string } {
  let out = '';
  const p = spawn(process.execPath, [entry], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (d: Buffer): void => void (out = (out + d.toString()).slice(-8000));
  p.stdout!.on('data', keep);
  p.stderr!.on('data', keep);
  return Object.assign(p, { output: () => out });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when it is gone. */
export async function stopProcess(p: ChildProcess, graceMs = 5000): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
