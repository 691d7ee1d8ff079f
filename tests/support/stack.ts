import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Repository root (tests run from there; BREWOPS_ROOT is set by scripts/test.mjs). */
export const root = process.env['BREWOPS_ROOT'] ?? resolve(__dirname, '..', '..', '..');

export interface StackState {
  backends: Record<string, { pid?: number; owned: boolean; url: string; ports?: Record<string, number>; log?: string }>;
  supervisor?: { pid: number; url: string; tokenFile: string };
  gatewayUrl: string;
}

export function readStackState(): StackState {
  const file = join(root, '.brewops', 'state.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StackState;
  } catch (err) {
    throw new Error(`no running stack: cannot read ${file} (${String(err)}). Run \`npm run up\` first.`);
  }
}

export const urls = {
  gateway: (): string => readStackState().gatewayUrl,
  search: (): string => process.env['OPENSEARCH_URL'] ?? 'http://127.0.0.1:9200',
  zipkin: (): string => 'http://127.0.0.1:9411',
  prometheus: (): string => 'http://127.0.0.1:9090',
  etcd: (): string => process.env['ETCD_HOSTS'] ?? 'http://127.0.0.1:2379',
};

/** Runs the brewops CLI synchronously (already built), returning exit code and output. */
export function brewops(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'packages', 'cli', 'dist', 'src', 'main.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value that is not undefined, or fails naming what it waited for. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `; last error: ${String(last)}` : ''}`);
    await sleep(everyMs);
  }
}

/** GET/POST JSON; requests to the live gateway carry the dev credentials. */
export async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const { gatewayFetch } = await import('./gateway-auth.js');
  const res = url.startsWith(readStackState().gatewayUrl) ? await gatewayFetch(url, init) : await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url} → ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}
