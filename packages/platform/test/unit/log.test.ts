import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { ensureContextManager, withCorrelationId } from '../../src/correlation.js';
import { createLogger, LogShipper, maskPii, maskPiiDeep } from '../../src/log/index.js';

type Line = Record<string, unknown>;

function capture(): { lines: string[]; parsed: () => Line[]; write: (s: string) => void } {
  const lines: string[] = [];
  return { lines, parsed: () => lines.map((l) => JSON.parse(l) as Line), write: (s) => void lines.push(s) };
}

describe('maskPii', () => {
  it('masks Luhn-valid card numbers with spaces, dashes or none, keeping the last 4', () => {
    assert.equal(maskPii('card 4111 1111 1111 1111 ok'), 'card **** **** **** 1111 ok');
    assert.equal(maskPii('card 4111-1111-1111-1111'), 'card **** **** **** 1111');
    assert.equal(maskPii('pan=5555555555554444;'), 'pan=**** **** **** 4444;');
    assert.equal(maskPii('amex 378282246310005'), 'amex **** **** **** 0005');
  });

  it('masks e-mail addresses also when URL-encoded in a logged request path', () => {
    assert.equal(maskPii('GET /v1/members/jane.doe%40example.com'), 'GET /v1/members/j***%40example.com');
    assert.equal(maskPii('GET /v1/members/jane.doe%40Example.COM?x=1'), 'GET /v1/members/j***%40Example.COM?x=1');
    assert.equal(maskPii('mail jane.doe@example.com now'), 'mail j***@example.com now');
  });

  it('leaves numbers that are not card numbers alone', () => {
    for (const s of [
      'order 4111111111111112 (fails Luhn)',
      'phone 0612345678',
      'ts 1700000000123',
      'trace 4bf92f3577b34da6a3ce929d0e0e4736',
      'id 00000000000000000000000000000001abc',
      'ISO 2024-01-31T10:00:00.000Z',
    ]) {
      assert.equal(maskPii(s), s);
    }
  });

  it('masks e-mails, bearer tokens and JWTs', () => {
    assert.equal(maskPii('from john.doe+x@example.com.'), 'from j***@example.com.');
    assert.equal(maskPii('Authorization: Bearer abc.def-123_xyz=='), 'Authorization: Bearer [REDACTED]');
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    assert.equal(maskPii(`token=${jwt} end`), 'token=[REDACTED_JWT] end');
    assert.equal(maskPii('no pii here'), 'no pii here');
  });

  it('maskPiiDeep masks nested strings without mutating the input', () => {
    const input = { a: 'mail a@b.io', n: 4111111111111111, list: ['x', { c: '4111 1111 1111 1111' }], keep: { k: 'v' } };
    const out = maskPiiDeep(input);
    assert.deepEqual(out, { a: 'mail a***@b.io', n: 4111111111111111, list: ['x', { c: '**** **** **** 1111' }], keep: { k: 'v' } });
    assert.equal(input.a, 'mail a@b.io');
    assert.equal(out.keep, input.keep, 'unchanged branches are shared');
    const cyclic: Record<string, unknown> = { s: 'x@y.org' };
    cyclic['self'] = cyclic;
    assert.equal((maskPiiDeep(cyclic) as { s: string }).s, 'x***@y.org');
  });
});

describe('createLogger', () => {
  it('writes ECS JSON lines with service, level label, ISO @timestamp and message', () => {
    const out = capture();
    const log = createLogger({ service: 'order', instanceId: 'order-1', destination: out });
    log.info({ orderId: 7 }, 'order placed');
    const [line] = out.parsed();
    assert.ok(line);
    assert.equal(line['log.level'], 'info');
    assert.equal(line['message'], 'order placed');
    assert.equal(line['service.name'], 'order');
    assert.equal(line['service.instance.id'], 'order-1');
    assert.equal(typeof line['ecs.version'], 'string');
    assert.equal(new Date(line['@timestamp'] as string).toISOString(), line['@timestamp']);
    assert.equal(line['orderId'], 7);
    assert.equal(line['level'], undefined);
    assert.equal(line['msg'], undefined);
  });

  it('moves plain values off ECS object names, so the line is not refused by the search backend', () => {
    const out = capture();
    const log = createLogger({ service: 'controller', instanceId: 'controller-1', destination: out });
    log.info({ service: 'member', host: '127.0.0.1', event: 'lease_lost', error: 'timed out', port: 8080 }, 'x');
    log.info({ service: { peer: 'member' }, 'event.action': 'suspect' }, 'y');
    const [a, b] = out.parsed();
    assert.equal(a?.['service'], undefined);
    assert.equal(a?.['host'], undefined);
    assert.equal(a?.['event'], undefined);
    assert.equal(a?.['labels.service'], 'member');
    assert.equal(a?.['labels.host'], '127.0.0.1');
    assert.equal(a?.['labels.event'], 'lease_lost');
    assert.equal(a?.['error.message'], 'timed out');
    assert.equal(a?.['port'], 8080);
    assert.equal(a?.['service.name'], 'controller', 'the base service.name is kept');
    assert.deepEqual(b?.['service'], { peer: 'member' }, 'objects stay where they are');
    assert.equal(b?.['event.action'], 'suspect');
  });

  it('respects the level', () => {
    const out = capture();
    const log = createLogger({ service: 's', instanceId: 'i', level: 'warn', destination: out });
    log.info('no');
    log.warn('yes');
    assert.deepEqual(out.parsed().map((l) => l['message']), ['yes']);
  });

  it('serializes errors as ECS error.type / error.message / error.stack_trace, with causes', () => {
    const out = capture();
    const log = createLogger({ service: 's', instanceId: 'i', destination: out });
    class PaymentDeclined extends Error {}
    log.error({ err: new PaymentDeclined('declined', { cause: new Error('gateway said no') }) }, 'charge failed');
    log.error(new TypeError('bad type'));
    const [a, b] = out.parsed();
    assert.equal(a?.['error.type'], 'PaymentDeclined');
    assert.equal(a?.['error.message'], 'declined');
    assert.match(String(a?.['error.stack_trace']), /declined[\s\S]*Caused by: Error: gateway said no/);
    assert.equal(a?.['err'], undefined);
    assert.equal(b?.['error.type'], 'TypeError');
    assert.equal(b?.['message'], 'bad type');
  });

  it('redacts secrets by key at any depth, case-insensitively: headers, set-cookie, card fields', () => {
    const out = capture();
    const log = createLogger({ service: 's', instanceId: 'i', destination: out });
    log.info(
      {
        password: 'hunter2',
        apiKey: 'k1',
        api_key: 'k2',
        user: { email: 'a@b.co', token: 't', name: 'Ann' },
        headers: { authorization: 'Basic Zm9vOmJhcg==', cookie: 'sid=1', 'set-cookie': 'sid=2', accept: 'json' },
        req: { headers: { authorization: 'Bearer zzz' } },
        payment: { cardNumber: '4111111111111111', cvv: '123', card_number: '5555555555554444' },
        upstream: { request: { options: { headers: { Authorization: 'Digest deep-secret' } } } },
      },
      'secrets',
    );
    const raw = out.lines[0] ?? '';
    for (const secret of ['hunter2', 'k1', 'k2', 'Zm9vOmJhcg', 'sid=1', 'sid=2', 'zzz', '4111111111111111', '"123"', '5555555555554444', 'deep-secret']) {
      assert.ok(!raw.includes(secret), `${secret} leaked: ${raw}`);
    }
    const line = JSON.parse(raw) as { user: Line; headers: Line; payment: Line };
    assert.equal(line.user['email'], '[REDACTED]');
    assert.equal(line.user['name'], 'Ann');
    assert.equal(line.headers['accept'], 'json');
    assert.equal(line.headers['set-cookie'], '[REDACTED]');
    assert.equal(line.payment['cvv'], '[REDACTED]');
  });

  it('masks card numbers, e-mails and bearer tokens in the message, interpolations, fields and child bindings', () => {
    const out = capture();
    const log = createLogger({ service: 's', instanceId: 'i', destination: out });
    log.info({ note: 'paid with 4111 1111 1111 1111 by jane@example.com' }, 'charging %s for %s', '5555-5555-5555-4444', 'bob@example.org');
    log.child({ customer: 'carl@example.net' }).warn('auth header was Bearer abc123');
    const raw = out.lines.join('');
    for (const pii of ['4111 1111', '5555-5555', 'jane@', 'bob@', 'carl@', 'abc123']) assert.ok(!raw.includes(pii), `${pii} leaked: ${raw}`);
    const [a, b] = out.parsed();
    assert.equal(a?.['message'], 'charging **** **** **** 4444 for b***@example.org');
    assert.equal(a?.['note'], 'paid with **** **** **** 1111 by j***@example.com');
    assert.equal(b?.['customer'], 'c***@example.net');
    assert.equal(b?.['message'], 'auth header was Bearer [REDACTED]');
  });

  it('adds correlation.id from baggage and trace.id / span.id / trace.flags of the active span, once each', () => {
    ensureContextManager();
    const out = capture();
    const log = createLogger({ service: 's', instanceId: 'i', destination: out });
    log.info('outside');
    const span = trace.wrapSpanContext({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
    });
    context.with(trace.setSpan(context.active(), span), () => withCorrelationId('corr-9', () => log.info('inside')));
    const [outside, inside] = out.parsed();
    assert.equal(outside?.['trace.id'], undefined);
    assert.equal(outside?.['correlation.id'], undefined);
    assert.equal(inside?.['trace.id'], '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(inside?.['span.id'], '00f067aa0ba902b7');
    assert.equal(inside?.['trace.flags'], '01');
    assert.equal(inside?.['correlation.id'], 'corr-9');
    assert.equal(out.lines[1]?.split('"trace.id"').length, 2, 'exactly one trace.id key');
  });

  it('writes every line to the destination and to the shipper', async () => {
    const out = capture();
    const shipper = new LogShipper({ maxDelayMs: 5 });
    const shipped: string[] = [];
    shipper.attach(async (lines) => void shipped.push(...lines));
    const log = createLogger({ service: 's', instanceId: 'i', level: 'debug', destination: out, shipper });
    log.debug('one');
    log.error('two');
    await shipper.flush(1000);
    assert.equal(out.lines.length, 2);
    assert.deepEqual(shipped.map((l) => (JSON.parse(l) as Line)['message']), ['one', 'two']);
    assert.ok(shipped.every((l) => !l.endsWith('\n')));
  });
});

describe('stdout (the default destination)', () => {
  // Stdout is written asynchronously; what is still buffered must reach it when the process ends.
  const script = (end: string): string => `
    const { createLogger } = require(${JSON.stringify(require.resolve('../../src/log/index.js'))});
    const log = createLogger({ service: 't', instanceId: 't-1' });
    for (let i = 0; i < 3000; i++) log.info({ i }, 'line');
    log.fatal('last words');
    ${end}`;
  for (const [name, end] of [
    ['process.exit right after logging', 'process.exit(3);'],
    ['an uncaught exception', "setImmediate(() => { throw new Error('boom'); });"],
  ] as const) {
    it(`keeps every line through ${name}`, async () => {
      const { spawnSync } = await import('node:child_process');
      const r = spawnSync(process.execPath, ['-e', script(end)], { encoding: 'utf8', maxBuffer: 64 << 20 });
      const lines = r.stdout.trim().split('\n');
      assert.notEqual(r.status, 0);
      assert.equal(lines.length, 3001, `stdout had ${lines.length} lines; stderr: ${r.stderr.slice(0, 300)}`);
      assert.equal((JSON.parse(lines.at(-1)!) as Line)['message'], 'last words');
    });
  }
});
