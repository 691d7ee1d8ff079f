import { Agent, request } from 'undici';
import { AppError } from '../http/errors.js';
import type { InstanceInfo } from '../discovery/types.js';
import type { InstanceSource, ServiceClientOptions, UpstreamRequest, UpstreamResponse } from './types.js';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Connection-level failures where the request never reached a handler, so another instance may be tried. */
function isConnectFailure(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

/**
 * Calls one service through its live instances from discovery, round robin, keep-alive pooled.
 * Deliberately small: the full client-side load balancer (power-of-two choices, per-instance
 * breakers, outlier ejection, retry budget) replaces the policy here without changing callers.
 * Trace context and baggage (correlation ID) are injected by the undici instrumentation.
 */
export class ServiceClient {
  private next = 0;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly agent: Agent;

  constructor(private readonly source: InstanceSource, private readonly options: ServiceClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.retries = options.retries ?? 1;
    this.agent = new Agent({ keepAliveTimeout: 10_000, connections: 64 });
  }

  private pick(exclude: ReadonlySet<string>): InstanceInfo | undefined {
    const live = this.source.instances().filter((i) => !exclude.has(i.instanceId));
    if (live.length === 0) return undefined;
    const chosen = live[this.next % live.length];
    this.next = (this.next + 1) % 1_000_000;
    return chosen;
  }

  async request(req: UpstreamRequest): Promise<UpstreamResponse> {
    const method = req.method.toUpperCase();
    const attempts = IDEMPOTENT.has(method) ? 1 + this.retries : 1;
    const tried = new Set<string>();
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const instance = this.pick(tried);
      if (!instance) break;
      tried.add(instance.instanceId);
      try {
        return await this.send(instance, method, req);
      } catch (err) {
        lastError = err;
        if (!isConnectFailure(err)) break;
      }
    }
    if (tried.size === 0) {
      throw new AppError({ status: 503, code: 'no_upstream', message: `no ${this.options.service} instance is available` });
    }
    const timedOut = (lastError as { code?: string } | null)?.code === 'UND_ERR_HEADERS_TIMEOUT'
      || (lastError as { code?: string } | null)?.code === 'UND_ERR_BODY_TIMEOUT';
    throw new AppError({
      status: timedOut ? 504 : 502,
      code: timedOut ? 'upstream_timeout' : 'upstream_unavailable',
      message: `${this.options.service} did not answer`,
      cause: lastError,
    });
  }

  private async send(instance: InstanceInfo, method: string, req: UpstreamRequest): Promise<UpstreamResponse> {
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    let body: string | Buffer | undefined;
    if (req.body !== undefined && method !== 'GET' && method !== 'HEAD') {
      if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) body = req.body;
      else {
        body = JSON.stringify(req.body);
        headers['content-type'] = 'application/json';
      }
    }
    const res = await request(`http://${instance.host}:${instance.port}${req.path}`, {
      method: method as 'GET',
      headers,
      body: body ?? null,
      dispatcher: this.agent,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const text = await res.body.text();
    const type = String(res.headers['content-type'] ?? '');
    let parsed: unknown = text;
    if (type.includes('json') && text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.statusCode, headers: res.headers, body: parsed, instanceId: instance.instanceId };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
