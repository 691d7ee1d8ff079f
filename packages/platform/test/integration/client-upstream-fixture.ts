/**
 * A real upstream instance for the load-balancer and gateway tests: an HTTP server on port 0
 * registered in the real etcd under a lease (env FIXTURE_SERVICE, FIXTURE_INSTANCE, ETCD_HOSTS,
 * FIXTURE_TTL). Prints `{"port":N}` once registered. Behaviour is switched at run time:
 * `POST /fixture/mode/<ok|fail|hang>`. Routes: `GET /v1/echo` (JSON with the instance id),
 * `POST /v1/echo` (echoes the body), `GET /v1/slow?ms=N`, `GET /v1/secret` (marked internal).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Discovery } from '../../src/discovery/index.js';

const service = process.env['FIXTURE_SERVICE'] ?? 'lbtest';
const instanceId = process.env['FIXTURE_INSTANCE'] ?? `${service}-${process.pid}`;
const quiet = { info() {}, warn() {}, error() {}, debug() {} };
let mode: 'ok' | 'fail' | 'hang' = 'ok';

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const json = (status: number, body: unknown, extra: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extra });
    res.end(text);
  };
  const m = /^\/fixture\/mode\/(ok|fail|hang)$/.exec(url.pathname);
  if (m) {
    mode = m[1] as typeof mode;
    json(200, { mode });
    return;
  }
  if (mode === 'hang') return; // never answers
  if (mode === 'fail') {
    json(500, { error: { code: 'injected', message: 'fixture failing' } });
    return;
  }
  if (url.pathname === '/v1/secret') {
    json(200, { secret: true }, { 'x-brewops-internal': 'true' });
    return;
  }
  if (url.pathname === '/v1/slow') {
    setTimeout(() => json(200, { instanceId }), Number(url.searchParams.get('ms') ?? '100'));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    json(200, { instanceId, method: req.method, path: url.pathname, bytes: body.length, correlationId: req.headers['x-correlation-id'] ?? null });
  });
});
server.keepAliveTimeout = 5000;

server.listen(0, '127.0.0.1', () => {
  const port = (server.address() as AddressInfo).port;
  const discovery = new Discovery({
    hosts: (process.env['ETCD_HOSTS'] ?? 'http://127.0.0.1:2379').split(','),
    logger: quiet,
    ttlSeconds: Number(process.env['FIXTURE_TTL'] ?? '2'),
  });
  discovery
    .register({ service, instanceId, host: '127.0.0.1', port, version: 'test', zone: 'local' })
    .then(() => process.stdout.write(`${JSON.stringify({ port })}\n`))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  process.on('SIGTERM', () => {
    void discovery.close().finally(() => process.exit(0));
  });
});
