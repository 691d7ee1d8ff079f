import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import Router from '@koa/router';
import { createApp, Lifecycle, listen, Readiness } from '../../src/http/index.js';
import { createLogger } from '../../src/log/index.js';
import { createMetrics } from '../../src/metrics/index.js';

type Line = Record<string, unknown>;

function testLogger(): { logger: ReturnType<typeof createLogger>; lines: () => Line[] } {
  const raw: string[] = [];
  const logger = createLogger({ service: 's', instanceId: 'i', destination: { write: (s: string) => void raw.push(s) } });
  return { logger, lines: () => raw.map((l) => JSON.parse(l) as Line) };
}

function exitRecorder(): { exit: (code: number) => void; codes: number[] } {
  const codes: number[] = [];
  return { exit: (code) => void codes.push(code), codes };
}

describe('listen', () => {
  it('port 0 resolves with the real port and sane keep-alive timeouts', async () => {
    const { logger } = testLogger();
    const app = createApp({ service: 's', instanceId: 'i', logger, metrics: createMetrics({ service: 's', instanceId: 'i', defaultMetrics: false }), readiness: new Readiness() });
    const { server, port } = await listen(app, { host: '127.0.0.1', port: 0 });
    try {
      assert.ok(port > 0);
      assert.equal(server.keepAliveTimeout, 5_000);
      assert.ok(server.headersTimeout > server.keepAliveTimeout);
      const res = await fetch(`http://127.0.0.1:${port}/health/live`);
      assert.equal(res.status, 200);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it('rejects when the port is taken', async () => {
    const { logger } = testLogger();
    const app = createApp({ service: 's', instanceId: 'i', logger, metrics: createMetrics({ service: 's', instanceId: 'i', defaultMetrics: false }), readiness: new Readiness() });
    const first = await listen(app, { host: '127.0.0.1', port: 0 });
    try {
      await assert.rejects(listen(app, { host: '127.0.0.1', port: first.port }), /EADDRINUSE/);
    } finally {
      first.server.close();
    }
  });
});

describe('Lifecycle', () => {
  it('runs phases in order intake → drain → deregister → flush, whatever the registration order, then exits 0', async () => {
    const { logger } = testLogger();
    const { exit, codes } = exitRecorder();
    const lifecycle = new Lifecycle({ logger, exit });
    const order: string[] = [];
    const hook = (name: string) => async () => void order.push(name);
    lifecycle.onShutdown('telemetry', hook('telemetry'), 'flush');
    lifecycle.onShutdown('discovery', hook('discovery'), 'deregister');
    lifecycle.onShutdown('consumers', hook('consumers'), 'drain');
    lifecycle.onShutdown('server', hook('server'), 'intake');
    lifecycle.onShutdown('logs', hook('logs'), 'flush');
    await lifecycle.shutdown('test');
    assert.deepEqual(order, ['server', 'consumers', 'discovery', 'telemetry', 'logs']);
    assert.deepEqual(codes, [0]);
  });

  it('logs a failing hook and goes on', async () => {
    const { logger, lines } = testLogger();
    const { exit, codes } = exitRecorder();
    const lifecycle = new Lifecycle({ logger, exit });
    const order: string[] = [];
    lifecycle.onShutdown('consumers', async () => {
      throw new Error('channel already closed');
    }, 'drain');
    lifecycle.onShutdown('logs', async () => void order.push('logs'), 'flush');
    await lifecycle.shutdown('test');
    assert.deepEqual(order, ['logs']);
    assert.deepEqual(codes, [0]);
    const failed = lines().find((l) => l['hook'] === 'consumers');
    assert.equal(failed?.['error.message'], 'channel already closed');
  });

  it('exits 1 after the hard timeout when a hook hangs', async () => {
    const { logger, lines } = testLogger();
    const { exit, codes } = exitRecorder();
    const lifecycle = new Lifecycle({ logger, exit, timeoutMs: 100 });
    lifecycle.onShutdown('stuck', () => new Promise<void>(() => {}), 'drain');
    void lifecycle.shutdown('test');
    await sleep(200);
    assert.deepEqual(codes, [1]);
    assert.ok(lines().some((l) => l['message'] === 'shutdown timed out; exiting'));
  });

  it('a second signal forces exit 1; a single shutdown runs once', async () => {
    const { logger } = testLogger();
    const { exit, codes } = exitRecorder();
    const lifecycle = new Lifecycle({ logger, exit, timeoutMs: 5_000 });
    let release: () => void = () => {};
    let runs = 0;
    lifecycle.onShutdown('slow', () => {
      runs++;
      return new Promise<void>((resolve) => (release = resolve));
    }, 'drain');
    const beforeTerm = new Set(process.listeners('SIGTERM'));
    const beforeInt = new Set(process.listeners('SIGINT'));
    lifecycle.install();
    lifecycle.install();
    const addedTerm = process.listeners('SIGTERM').filter((l) => !beforeTerm.has(l));
    const addedInt = process.listeners('SIGINT').filter((l) => !beforeInt.has(l));
    try {
      assert.equal(addedTerm.length, 1, 'install is idempotent');
      assert.equal(addedInt.length, 1, 'SIGINT handled too');
      process.emit('SIGTERM', 'SIGTERM');
      await sleep(10);
      assert.equal(lifecycle.shuttingDown, true);
      process.emit('SIGINT', 'SIGINT');
      assert.deepEqual(codes, [1]);
      release();
      await lifecycle.shutdown('again');
      assert.equal(runs, 1);
      assert.deepEqual(codes, [1, 0]);
    } finally {
      for (const l of addedTerm) process.off('SIGTERM', l);
      for (const l of addedInt) process.off('SIGINT', l);
    }
  });

  it('stops intake: readiness turns 503, new connections are refused, the in-flight request completes', async () => {
    const { logger } = testLogger();
    const readiness = new Readiness();
    const metrics = createMetrics({ service: 's', instanceId: 'i', defaultMetrics: false });
    const app = createApp({ service: 's', instanceId: 'i', logger, metrics, readiness });
    const router = new Router();
    router.get('/slow', async (ctx) => {
      await sleep(300);
      ctx.body = { done: true };
    });
    app.use(router.routes());
    const { server, port } = await listen(app, { host: '127.0.0.1', port: 0 });
    const { exit, codes } = exitRecorder();
    const lifecycle = new Lifecycle({ logger, exit });
    let readyDuringShutdown: number | undefined;
    lifecycle.attachServer(server, readiness);
    lifecycle.onShutdown('check', async () => {
      readyDuringShutdown = (await readiness.report()).ready ? 200 : 503;
    }, 'drain');

    const inFlight = fetch(`http://127.0.0.1:${port}/slow`);
    await sleep(50);
    const t0 = Date.now();
    const done = lifecycle.shutdown('SIGTERM');
    await sleep(20);
    assert.equal(readiness.draining, true);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/health/live`), 'new connections are refused');
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { done: true });
    await done;
    assert.ok(Date.now() - t0 >= 200, 'shutdown waited for the in-flight request');
    assert.equal(server.listening, false);
    assert.equal(readyDuringShutdown, 503);
    assert.deepEqual(codes, [0]);
  });
});
