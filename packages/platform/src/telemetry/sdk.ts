import { diag, type TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KoaInstrumentation, KoaLayerType } from '@opentelemetry/instrumentation-koa';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { hostname } from 'node:os';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { isUpstreamOrigin } from '../client/client-span.js';
import { registeredTelemetry, setRegisteredInstrumentations, setRegisteredTelemetry } from './state.js';
import { TolerantSpanExporter } from './tolerant-exporter.js';
import { createSampler } from './sampler.js';

/** Incubating in @opentelemetry/semantic-conventions, so copied here as its docs advise. */
const ATTR_SERVICE_INSTANCE_ID = 'service.instance.id';

export interface TelemetryOptions {
  /** `service.name` resource attribute. */
  service: string;
  /** `service.instance.id` resource attribute. */
  instanceId: string;
  /** `service.version` resource attribute. */
  version: string;
  /** Zipkin v2 spans endpoint. Omit to export only through `spanProcessors`. */
  zipkinUrl?: string;
  /** Extra span processors, e.g. a SimpleSpanProcessor over an InMemorySpanExporter in tests. */
  spanProcessors?: SpanProcessor[];
}

export interface ZipkinProcessorOptions {
  /** How long spans wait to be batched, ms. @default 500 */
  scheduledDelayMillis?: number;
  /** Abandon an export after this long; its spans are dropped, ms. @default 2000 */
  exportTimeoutMillis?: number;
  /** Spans held while exports are slow; beyond it new spans are dropped. @default 2048 */
  maxQueueSize?: number;
  /** @default 512 */
  maxExportBatchSize?: number;
}

export { isUntracedPath } from './paths.js';

/**
 * B3 (multi-header), W3C tracecontext and W3C baggage: all three are injected; on extraction
 * each one that finds its headers sets the parent, and tracecontext is listed after B3 so it
 * wins when a request carries both.
 */
export function createPropagator(): TextMapPropagator {
  return new CompositePropagator({
    propagators: [
      new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }),
      new W3CTraceContextPropagator(),
      new W3CBaggagePropagator(),
    ],
  });
}

/**
 * Exactly the instrumentations brewops uses: http, koa, undici, amqplib. No fs, no dns, and no
 * pino: the platform logger writes `trace.id` / `span.id` / `trace.flags` itself (log/logger.ts),
 * so instrumentation-pino only repeated that work on every log line (and never sends records:
 * logs go through stdout and the log exchange).
 */
export function createInstrumentations(): [HttpInstrumentation, KoaInstrumentation, UndiciInstrumentation, AmqplibInstrumentation] {
  return [
    // Incoming requests get their server span from the platform (http/server-span.ts); this
    // instrumentation stays for outgoing node:http calls.
    new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }),
    // Router layers only: one span per plain middleware is noise, and keeping middleware out
    // leaves the HTTP server span active in middleware (request-scoped attributes land on it).
    // A service without router layers on its hot path (the gateway) turns it off altogether:
    // see disableKoaInstrumentation in ./index.ts.
    new KoaInstrumentation({ ignoreLayersType: [KoaLayerType.MIDDLEWARE] }),
    // Service clients make their own client spans (client/client-span.ts): the instrumentation
    // parsed a URL and every header of each request and response. It stays for other undici and
    // fetch calls (the controller's actuators, the status service's archive search).
    new UndiciInstrumentation({ ignoreRequestHook: (req) => isUpstreamOrigin(req.origin) }),
    new AmqplibInstrumentation(),
  ];
}

/**
 * Zipkin export that never fails or slows a request: batched off the request path, bounded
 * queue, short export timeout; when Zipkin is down the spans are dropped with at most one diag
 * warning per minute.
 */
export function createZipkinSpanProcessor(url: string, options: ZipkinProcessorOptions = {}): SpanProcessor {
  const exportTimeoutMillis = options.exportTimeoutMillis ?? 2_000;
  const exporter = new TolerantSpanExporter(new ZipkinExporter({ url }), {
    name: `zipkin exporter (${url})`,
    timeoutMs: exportTimeoutMillis,
  });
  return new BatchSpanProcessor(exporter, {
    scheduledDelayMillis: options.scheduledDelayMillis ?? 500,
    // The wrapper answers first; the processor's own timeout is only a backstop.
    exportTimeoutMillis: exportTimeoutMillis + 1_000,
    maxQueueSize: options.maxQueueSize ?? 2_048,
    maxExportBatchSize: options.maxExportBatchSize ?? 512,
  });
}

/** A NodeSDK with the brewops resource, propagators and instrumentations; traces only. */
export function createTelemetrySdk(options: TelemetryOptions): NodeSDK {
  const spanProcessors = [...(options.spanProcessors ?? [])];
  if (options.zipkinUrl !== undefined) spanProcessors.push(createZipkinSpanProcessor(options.zipkinUrl));
  const instrumentations = createInstrumentations();
  setRegisteredInstrumentations(instrumentations);
  return new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.service,
      [ATTR_SERVICE_INSTANCE_ID]: options.instanceId,
      [ATTR_SERVICE_VERSION]: options.version,
      'host.name': hostname(),
      'process.pid': process.pid,
      'process.runtime.name': 'nodejs',
      'process.runtime.version': process.versions.node,
    }),
    // No detectors. The env detector would let OTEL_SERVICE_NAME & co. override the brewops
    // identity. The process and host detectors added eight more attributes, among them the
    // command line (which may hold a secret someone passed as an argument) and the host id.
    // The Zipkin exporter copies every resource attribute into every span: they were over
    // half of each span's JSON.
    resourceDetectors: [],
    spanProcessors,
    sampler: createSampler(),
    textMapPropagator: createPropagator(),
    instrumentations,
    // Traces only: an empty list keeps the SDK from building OTLP metric and log pipelines from env.
    metricReaders: [],
    logRecordProcessors: [],
  });
}

/**
 * Creates, starts and registers the SDK (once per process; a second call returns the first).
 * Call it before the modules to instrument are loaded: `node --import .../register.js app.js`.
 */
export function startTelemetry(options: TelemetryOptions): NodeSDK {
  const existing = registeredTelemetry();
  if (existing instanceof NodeSDK) {
    diag.warn('brewops telemetry already started; keeping the first SDK');
    return existing;
  }
  const sdk = createTelemetrySdk(options);
  sdk.start();
  setRegisteredTelemetry(sdk);
  return sdk;
}
