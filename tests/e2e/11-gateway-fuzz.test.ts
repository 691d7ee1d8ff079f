/**
 * A bounded fuzz loop against the gateway (its own process, auth on, real upstreams in etcd):
 * malformed paths, headers, methods, encodings and bodies, over raw sockets so nothing is
 * cleaned up by a client library. Every answer must be a 4xx/5xx JSON error or a proxied
 * response; no hang (each exchange has a deadline); the process survives; memory stays bounded.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { cluster, makeCredentials, startGateway, type Credentials, type Fixture, type TestGateway } from './10-gateway-harness.js';

const ROUNDS = 600;
let creds: Credentials;
let gw: TestGateway;
let fixtures: Fixture[];
let svc: string;

before(async () => {
  creds = await makeCredentials();
  svc = cluster.uniqueService('gwfuzz');
  fixtures = await cluster.startFixtures(svc, 2);
  gw = await startGateway({ GATEWAY_AUTH: 'on', GATEWAY_SERVICES: svc, GATEWAY_API_KEYS_FILE: creds.keysFile, GATEWAY_UPSTREAM_TIMEOUT_MS: '1000', GATEWAY_KEY_RATE_PER_SECOND: '100000', GATEWAY_KEY_RATE_BURST: '100000' });
});
after(async () => {
  await gw?.stop();
  await cluster.stopFixtures(fixtures ?? []);
  await creds?.close();
});

/** A tiny deterministic PRNG so a failure can be replayed from the printed seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

interface Raw { status: number; headers: string; body: string }

function exchange(port: number, request: Buffer, deadlineMs = 5000): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    // write without half-closing: Node's HTTP server treats a FIN before the answer as an abort
    const s = connect(port, '127.0.0.1', () => s.write(request));
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`no complete answer within ${deadlineMs} ms`)); }, deadlineMs);
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', () => undefined); // a reset after the answer is fine; no answer is caught below
    s.on('close', () => {
      clearTimeout(timer);
      let text = Buffer.concat(chunks).toString('latin1');
      // skip interim answers (100 Continue)
      while (/^HTTP\/1\.1 1\d\d/.test(text) && text.includes('\r\n\r\n')) text = text.slice(text.indexOf('\r\n\r\n') + 4);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (!m) return reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 120))}`));
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: Number(m[1]), headers: text.slice(0, split).toLowerCase(), body: text.slice(split + 4) });
    });
  });
}

function dechunk(raw: Raw): string {
  if (!raw.headers.includes('transfer-encoding: chunked')) return raw.body;
  let out = '';
  let rest = raw.body;
  for (;;) {
    const nl = rest.indexOf('\r\n');
    const n = parseInt(rest.slice(0, nl), 16);
    if (!n) return out;
    out += rest.slice(nl + 2, nl + 2 + n);
    rest = rest.slice(nl + 4 + n);
  }
}

test(`fuzz: ${ROUNDS} malformed requests, every answer JSON or proxied, no hang, memory bounded`, { timeout: 240_000 }, async () => {
  const port = Number(new URL(gw.url).port);
  const seed = Date.now() % 100000;
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const junk = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(Math.floor(rnd() * 256))).join('');
  const paths = [
    `/api/${svc}/v1/echo`, `/api/${svc}/v1/%zz`, `/api/${svc}/%2e%2e/metrics`, `/api/${svc}/..%2f..%2fmetrics`, `/api/${svc}//v1//echo`,
    `/api/${svc}/v1/echo?${'a=1&'.repeat(200)}`, '/api/', '/api', '/api/%00/x', `/api/${svc}/v1/${'x'.repeat(5000)}`, '/api/../../etc/passwd',
    `/api/${svc}/v1/échø`, `/api/${svc}/metrics`, '/api/%2e%2e/health/ready', `/api/${svc}/v1/slow?ms=3000`, '*', `/api/${svc}/v1/echo#frag`,
  ];
  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'BREW', 'G@T', 'get', ''];
  const auth = [`x-api-key: ${creds.keys.valid}`, 'x-api-key: nope', 'authorization: Bearer a.b.c', 'authorization: Bearer ' + 'x'.repeat(3000), 'authorization: ', ''];
  const extras = [
    'content-encoding: gzip', 'content-encoding: br, x', 'transfer-encoding: chunked', 'content-length: -1', 'content-length: 99999999',
    'content-length: abc', `x-correlation-id: ${junk(20).replace(/[\r\n]/g, '')}`, 'x-correlation-id: ok-id', 'content-type: application/json',
    'content-type: text/plain; charset=utf-99', `x-big: ${'b'.repeat(9000)}`, 'host:', 'expect: 100-continue', `x-bin: ${junk(30).replace(/[\r\n]/g, '')}`,
  ];
  const memory = async (): Promise<number> => {
    const text = await (await fetch(`${gw.adminUrl}/metrics`)).text();
    return Number(/^process_resident_memory_bytes (\d+(?:\.\d+)?)/m.exec(text)?.[1] ?? 'NaN');
  };
  // warm up: the first request also installs the JSON parser-error handler
  await fetch(`${gw.url}/api/`);
  const rssBefore = await memory();
  const tally: Record<string, number> = {};
  for (let i = 0; i < ROUNDS; i++) {
    const method = pick(methods);
    const path = pick(paths);
    const headers = [`host: 127.0.0.1:${port}`, pick(auth), rnd() < 0.6 ? pick(extras) : '', rnd() < 0.3 ? pick(extras) : '', 'connection: close'].filter(Boolean);
    let body = '';
    if (rnd() < 0.5) body = pick(['{"a":1}', '{bad json', junk(200), '0\r\n\r\n', 'x'.repeat(70_000), '\u0000\u0001']);
    const framing = headers.some((h) => h.startsWith('transfer-encoding') || h.startsWith('content-length')) || body === '' ? '' : `content-length: ${Buffer.byteLength(body, 'latin1')}\r\n`;
    const req = Buffer.from(`${method} ${path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n${framing}\r\n${body}`, 'latin1');
    let raw: Raw;
    try {
      raw = await exchange(port, req);
    } catch (err) {
      assert.fail(`seed ${seed} round ${i}: ${method} ${path.slice(0, 60)} [${headers.slice(1, 4).join(' | ').slice(0, 120)}]: ${String(err)}`);
    }
    tally[raw.status] = (tally[raw.status] ?? 0) + 1;
    const proxied = raw.headers.includes('x-upstream-instance:');
    if (proxied || method === 'HEAD' || raw.status === 204) continue;
    assert.ok(raw.status >= 400 && raw.status <= 599, `seed ${seed} round ${i}: unexpected ${raw.status} for ${method} ${path.slice(0, 60)}`);
    assert.notEqual(raw.status, 500, `seed ${seed} round ${i}: 500 for ${JSON.stringify(req.toString('latin1').slice(0, 400))}: ${raw.body.slice(0, 200)}`);
    let parsed: { error?: { code?: unknown } };
    try {
      parsed = JSON.parse(dechunk(raw)) as typeof parsed;
    } catch {
      assert.fail(`seed ${seed} round ${i}: non-JSON ${raw.status} for ${method} ${path.slice(0, 60)}: ${JSON.stringify(raw.body.slice(0, 200))}`);
    }
    assert.equal(typeof parsed.error?.code, 'string', `seed ${seed} round ${i}: error without a code`);
  }
  const live = await fetch(`${gw.adminUrl}/health/live`);
  assert.equal(live.status, 200, 'gateway not alive after the fuzz loop');
  assert.equal(gw.proc.exitCode, null, 'gateway process exited');
  const rssAfter = await memory();
  const growthMb = (rssAfter - rssBefore) / 2 ** 20;
  console.log(`  fuzz seed ${seed}: ${ROUNDS} requests, statuses ${JSON.stringify(tally)}; RSS ${(rssBefore / 2 ** 20).toFixed(0)} → ${(rssAfter / 2 ** 20).toFixed(0)} MB`);
  assert.ok(growthMb < 64, `RSS grew by ${growthMb.toFixed(0)} MB`);
});
