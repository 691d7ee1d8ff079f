import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** One fixture instance running as its own process (so kill -9 is real). */
export interface FixtureInstance {
  readonly id: string;
  readonly port: number;
  readonly proc: ChildProcess;
  setMode(mode: 'ok' | 'fail' | 'hang'): Promise<void>;
}

export const uniqueService = (prefix = 'lbtest'): string => `${prefix}-${randomBytes(4).toString('hex')}`;

/** Starts `count` fixture instances of `service` and waits until each is registered in etcd. */
export async function startFixtures(service: string, count: number, ttlSeconds = 2): Promise<FixtureInstance[]> {
  const script = join(__dirname, 'client-upstream-fixture.js');
  return Promise.all(Array.from({ length: count }, (_, i) => startOne(script, service, `${service}-${i + 1}`, ttlSeconds)));
}

function startOne(script: string, service: string, id: string, ttl: number): Promise<FixtureInstance> {
  const proc = spawn(process.execPath, [script], {
    env: { ...process.env, FIXTURE_SERVICE: service, FIXTURE_INSTANCE: id, FIXTURE_TTL: String(ttl) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fixture ${id} did not register within 15 s`)), 15_000);
    proc.once('exit', (code) => reject(new Error(`fixture ${id} exited with ${code}`)));
    createInterface({ input: proc.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      const { port } = JSON.parse(line) as { port: number };
      resolve({
        id,
        port,
        proc,
        async setMode(mode) {
          const res = await fetch(`http://127.0.0.1:${port}/fixture/mode/${mode}`, { method: 'POST' });
          await res.arrayBuffer();
        },
      });
    });
  });
}

/** SIGTERM (deregisters) every fixture still alive; waits for the exits. */
export async function stopFixtures(list: readonly FixtureInstance[]): Promise<void> {
  await Promise.all(list.map((f) => new Promise<void>((resolve) => {
    if (f.proc.exitCode !== null || f.proc.signalCode !== null) return resolve();
    f.proc.once('exit', () => resolve());
    f.proc.kill('SIGTERM');
    setTimeout(() => { f.proc.kill('SIGKILL'); resolve(); }, 3000).unref();
  })));
}
