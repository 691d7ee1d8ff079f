// A small supervisor admin API for the test: it owns real service processes and really
// restarts them (SIGTERM/SIGKILL the old process, spawn a new one with the same instance ID).
import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { ROOT, startNode, stopProcess, tempDir } from './fixtures.js';

type Proc = ReturnType<typeof startNode>;

interface Owned {
  readonly id: string;
  readonly service: string;
  proc: Proc;
  restarts: number;
}

export class FakeSupervisor {
  private readonly owned = new Map<string, Owned>();
  private server: Server | undefined;
  private readonly dirs: string[] = [];
  /** Every restart request, with its time. */
  readonly restartRequests: Array<{ id: string; at: number }> = [];
  url = '';

  constructor(private readonly token: string, private readonly env: NodeJS.ProcessEnv) {}

  /** Starts `id` as an instance of `service` running member's built entry (BREWOPS_SERVICE renames it). */
  add(id: string, service: string): Owned {
    const o: Owned = { id, service, proc: this.spawn(id, service), restarts: 0 };
    this.owned.set(id, o);
    return o;
  }

  get(id: string): Owned {
    const o = this.owned.get(id);
    if (!o) throw new Error(`no instance ${id}`);
    return o;
  }

  async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (req.method === 'GET' && path === '/v1/instances') {
        return send(200, { instances: [...this.owned.values()].map((o) => ({ id: o.id, service: o.service, pid: o.proc.pid, restarts: o.restarts })), skipped: [] });
      }
      const m = /^\/v1\/instances\/([^/]+)\/restart$/.exec(path);
      if (req.method !== 'POST' || !m) return send(404, { error: { code: 'not_found', message: path } });
      if (req.headers.authorization !== `Bearer ${this.token}`) return send(401, { error: { code: 'unauthorized', message: 'bad token' } });
      const o = this.owned.get(decodeURIComponent(m[1]!));
      if (!o) return send(404, { error: { code: 'unknown_instance', message: m[1] } });
      this.restartRequests.push({ id: o.id, at: Date.now() });
      void (async () => {
        await stopProcess(o.proc, 3000);
        o.proc = this.spawn(o.id, o.service);
        o.restarts++;
        send(200, { id: o.id, pid: o.proc.pid, restarts: o.restarts });
      })();
      return undefined;
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const addr = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${addr.port}`;
  }

  async close(): Promise<void> {
    await Promise.all([...this.owned.values()].map((o) => stopProcess(o.proc, 3000)));
    await new Promise((r) => this.server?.close(r));
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }

  private spawn(id: string, service: string): Proc {
    const stateDir = tempDir(`brewops-ctl-${id}-`);
    this.dirs.push(stateDir);
    return startNode(join(ROOT, 'services', 'member', 'dist', 'src', 'main.js'), {
      ...this.env,
      BREWOPS_SERVICE: service,
      BREWOPS_INSTANCE_ID: id,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      BREWOPS_STATE_DIR: stateDir,
    });
  }
}
