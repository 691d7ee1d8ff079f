import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';

const tracer = trace.getTracer('@brewops/platform/client');

/**
 * Origins (`http://host:port`) of the service clients' upstream pools, with a count of the pools
 * holding each. A request to one of them gets the client span made here (`transport.send`), and
 * the undici instrumentation leaves it alone (telemetry/sdk.ts): that instrumentation parses a URL
 * and every request and response header per request, ~20 % of the gateway's CPU at saturation.
 * The map lives on globalThis: the telemetry bootstrap (`--import`) and the app may load this
 * module through different loaders.
 */
const KEY = Symbol.for('brewops.client.upstreamOrigins');
const holder = globalThis as { [KEY]?: Map<string, number> };
const origins: Map<string, number> = (holder[KEY] ??= new Map<string, number>());

export function holdOrigin(origin: string): void {
  origins.set(origin, (origins.get(origin) ?? 0) + 1);
}

export function releaseOrigin(origin: string): void {
  const n = (origins.get(origin) ?? 0) - 1;
  if (n > 0) origins.set(origin, n);
  else origins.delete(origin);
}

/** For the undici instrumentation's `ignoreRequestHook`: true for a request a service client sends. */
export function isUpstreamOrigin(origin: unknown): boolean {
  return typeof origin === 'string' && origins.has(origin);
}

/**
 * Starts the CLIENT span of one attempt, child of the active span, and injects its context
 * (traceparent, baggage, B3: the registered propagators) into `headers`. The name and
 * attributes are the ones the undici instrumentation used (stable HTTP semantic conventions),
 * except `url.full`, which leaves out the query: a forwarded query string may carry PII.
 */
export function startClientSpan(method: string, origin: string, host: string, port: number, path: string, headers: Record<string, string>): Span {
  const q = path.indexOf('?');
  const span = tracer.startSpan(method, {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': method,
      'server.address': host,
      'server.port': port,
      'url.full': origin + (q === -1 ? path : path.slice(0, q)),
    },
  });
  propagation.inject(trace.setSpan(context.active(), span), headers);
  return span;
}

/** Ends the span at the response headers (a 5xx is an error, as the instrumentation had it), or with the failure. */
export function endClientSpan(span: Span, status: number | undefined, err?: unknown): void {
  if (status !== undefined) {
    span.setAttribute('http.response.status_code', status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  } else {
    const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
    span.setAttribute('error.type', typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'Error');
    span.setStatus(typeof e?.message === 'string' ? { code: SpanStatusCode.ERROR, message: e.message.slice(0, 200) } : { code: SpanStatusCode.ERROR });
  }
  span.end();
}
