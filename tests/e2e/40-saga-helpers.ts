// Helpers of the 4x-* e2e tests (coffee-shop saga): placing orders, reading SSE, raw AMQP.
import * as amqp from 'amqplib';
import { urls } from '../support/stack.js';
import { gatewayFetch } from '../support/gateway-auth.js';

export const AMQP_URL = process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';

export interface PlacedOrder {
  orderId: string;
  totalCents: number;
  pricingFallback: string | null;
  status: string;
}

export interface StatusChange {
  orderId: string;
  status: string;
  eventId: string;
  eventType: string;
  detail?: string;
}

export async function placeOrder(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: PlacedOrder; headers: Headers }> {
  const res = await gatewayFetch(`${urls.gateway()}/api/order/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as PlacedOrder, headers: res.headers };
}

/**
 * Reads an order's SSE status stream (through the gateway) until the server ends it, or fails
 * after `timeoutMs` with what it got so far.
 */
export async function readStatusStream(orderId: string, timeoutMs = 20_000): Promise<StatusChange[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const changes: StatusChange[] = [];
  try {
    const res = await gatewayFetch(`${urls.gateway()}/api/status/v1/orders/${orderId}/status/stream`, { signal: ac.signal });
    if (res.status !== 200) throw new Error(`status stream → ${res.status}: ${await res.text()}`);
    if (!res.headers.get('content-type')?.startsWith('text/event-stream')) throw new Error(`not SSE: ${res.headers.get('content-type')}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (data) changes.push(JSON.parse(data.slice(6)) as StatusChange);
      }
    }
    return changes;
  } catch (err) {
    if (ac.signal.aborted) throw new Error(`status stream of ${orderId} did not end within ${timeoutMs} ms; got ${changes.map((c) => c.status).join(', ')}`);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Publishes raw messages straight to a queue (default exchange), with confirms. */
export async function sendToQueue(queue: string, messages: Array<{ body: Buffer | string; messageId: string; contentType?: string }>): Promise<void> {
  const conn = await amqp.connect(AMQP_URL);
  try {
    const ch = await conn.createConfirmChannel();
    for (const m of messages) {
      ch.sendToQueue(queue, Buffer.isBuffer(m.body) ? m.body : Buffer.from(m.body), {
        messageId: m.messageId, contentType: m.contentType ?? 'application/json', persistent: true,
      });
    }
    await ch.waitForConfirms();
    await ch.close();
  } finally {
    await conn.close();
  }
}

/**
 * Takes the message with `messageId` out of `queue` (acked), leaving every other message there
 * (requeued). Returns its headers, or undefined when it is not there.
 */
export async function takeFromQueue(queue: string, messageId: string): Promise<Record<string, unknown> | undefined> {
  const conn = await amqp.connect(AMQP_URL);
  try {
    const ch = await conn.createChannel();
    const { messageCount } = await ch.checkQueue(queue);
    const others: amqp.GetMessage[] = [];
    let found: amqp.GetMessage | undefined;
    for (let i = 0; i < messageCount && !found; i++) {
      const msg = await ch.get(queue, { noAck: false });
      if (msg === false) break;
      if (msg.properties.messageId === messageId) found = msg;
      else others.push(msg);
    }
    if (found) ch.ack(found);
    for (const m of others) ch.nack(m, false, true);
    await ch.close();
    return found ? (found.properties.headers ?? {}) : undefined;
  } finally {
    await conn.close();
  }
}

/** A service instance started by a test (not the supervisor), with its log kept for failures. */
export interface TestProcess {
  readonly proc: import('node:child_process').ChildProcess;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts `services/<service>` as a separate process registered as `name` (so the gateway never
 * routes to it); resolves with its URL once it listens.
 */
export async function startServiceProcess(service: string, name: string, env: Record<string, string>): Promise<TestProcess> {
  const { spawn } = await import('node:child_process');
  const { join } = await import('node:path');
  const { root } = await import('../support/stack.js');
  const proc = spawn(process.execPath, [
    '--import', join(root, 'packages', 'platform', 'dist', 'src', 'telemetry', 'register.js'),
    join(root, 'services', service, 'dist', 'src', 'main.js'),
  ], {
    cwd: root,
    env: { ...process.env, BREWOPS_SERVICE: name, BREWOPS_INSTANCE_ID: `${name}-1`, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out.slice(-2000)}`)), 60_000);
    const onData = (d: Buffer): void => {
      out = (out + d.toString()).slice(-8000);
      const m = /ready on (http:\/\/[0-9.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-8000); });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited with ${code}:\n${out.slice(-2000)}`)); });
  });
  return {
    proc,
    url,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
