import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { MAX_REPLICAS } from './services.js';
import { AdminError, type InstanceControl } from './types.js';
import type { NotificationInbox } from './notifications.js';

export interface AdminApiOptions {
  readonly control: InstanceControl;
  /** Bearer token the mutating routes require. */
  readonly token: string;
  /** Prometheus http_sd target groups (built from the etcd registry). */
  readonly sd: () => Promise<unknown>;
  /** Receiver of Alertmanager notifications (`POST /v1/notifications`, open on loopback like http_sd). */
  readonly notifications?: NotificationInbox;
  /** Gets unexpected errors (answered as 500). */
  readonly onError?: (err: unknown) => void;
}

const ID = /^[a-z][a-z0-9-]{0,62}$/;
const MAX_BODY = 16 * 1024;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function authorized(req: IncomingMessage, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

async function readJson(req: IncomingMessage, maxBytes = MAX_BODY): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new AdminError(413, 'body_too_large', `body over ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AdminError(400, 'invalid_json', 'body is not valid JSON');
  }
}

function replicasFrom(body: unknown): number {
  const r = typeof body === 'object' && body !== null ? (body as { replicas?: unknown }).replicas : undefined;
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 0 || r > MAX_REPLICAS) {
    throw new AdminError(400, 'invalid_replicas', `body must be {"replicas": <integer 0-${MAX_REPLICAS}>}`);
  }
  return r;
}

async function route(req: IncomingMessage, res: ServerResponse, opts: AdminApiOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const method = req.method ?? 'GET';
  if (method === 'GET') {
    if (path === '/health') return send(res, 200, { status: 'ok' });
    if (path === '/v1/instances') return send(res, 200, opts.control.list());
    if (path === '/v1/notifications' && opts.notifications) return send(res, 200, { alerts: opts.notifications.list() });
    if (path === '/sd/prometheus') {
      try {
        return send(res, 200, await opts.sd());
      } catch (err) {
        throw new AdminError(503, 'registry_unavailable', `cannot read the etcd registry: ${(err as Error).message}`);
      }
    }
  }
  if (path === '/v1/notifications' && method === 'POST' && opts.notifications) {
    try {
      return send(res, 200, { received: opts.notifications.receive(await readJson(req, 1024 * 1024)) });
    } catch (err) {
      if (err instanceof AdminError) throw err;
      throw new AdminError(400, 'invalid_notification', (err as Error).message);
    }
  }
  const instance = /^\/v1\/instances\/([^/]+)\/(restart|stop|start)$/.exec(path);
  const scale = /^\/v1\/services\/([^/]+)\/scale$/.exec(path);
  if (!instance && !scale) throw new AdminError(404, 'not_found', `no route ${method} ${path}`);
  if (method !== 'POST') throw new AdminError(405, 'method_not_allowed', `${path} takes POST`);
  if (!authorized(req, opts.token)) throw new AdminError(401, 'unauthorized', 'send Authorization: Bearer <token from .brewops/admin-token>');
  if (instance) {
    const id = decodeURIComponent(instance[1]!);
    if (!ID.test(id)) throw new AdminError(400, 'invalid_instance_id', `"${id}" is not an instance id (e.g. member-1)`);
    await readJson(req);
    const action = instance[2] as 'restart' | 'stop' | 'start';
    return send(res, 200, await opts.control[action](id));
  }
  const service = decodeURIComponent(scale![1]!);
  if (!ID.test(service)) throw new AdminError(400, 'invalid_service', `"${service}" is not a service name`);
  const replicas = replicasFrom(await readJson(req));
  return send(res, 200, { service, replicas, instances: await opts.control.scale(service, replicas) });
}

/**
 * The supervisor's loopback admin API. Reads are open (Prometheus and `brewops status` use
 * them); every mutation needs the bearer token. Errors are `{error: {code, message}}`.
 */
export function createAdminServer(opts: AdminApiOptions): Server {
  return createServer((req, res) => {
    route(req, res, opts).catch((err: unknown) => {
      if (err instanceof AdminError) return send(res, err.status, { error: { code: err.code, message: err.message } });
      opts.onError?.(err);
      return send(res, 500, { error: { code: 'internal', message: 'internal error (see supervisor.log)' } });
    });
  });
}
