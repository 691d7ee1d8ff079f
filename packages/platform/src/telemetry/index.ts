// The light public surface: no SDK or instrumentation is loaded by importing it.
// The SDK pieces (startTelemetry, createPropagator, ...) live in ./sdk.js, loaded by ./register.js.
import { trace, type Tracer } from '@opentelemetry/api';
import { registeredInstrumentations, registeredTelemetry, setRegisteredTelemetry } from './state.js';

const SHUTDOWN_BOUND_MS = 3_000;
let shuttingDown: Promise<void> | undefined;

/** True when telemetry/register (or startTelemetry) started the SDK in this process. */
export function isTelemetryRegistered(): boolean {
  return registeredTelemetry() !== undefined;
}

/**
 * Turns the Koa instrumentation off for this process: apps and middleware set up afterwards are
 * not wrapped (no per-middleware wrapper on every request, no router-layer spans). For a service
 * with no router layers on its hot path (the gateway: one edge middleware for /api/**); the HTTP
 * server and undici spans stay. Call it before the app is built (before startService). No-op
 * without telemetry. Returns whether an instrumentation was turned off.
 */
export function disableKoaInstrumentation(): boolean {
  const koa = registeredInstrumentations().find((i) => i.instrumentationName === '@opentelemetry/instrumentation-koa');
  koa?.disable();
  return koa !== undefined;
}

/** A tracer from the global provider (a no-op one when telemetry is not registered). */
export function getTracer(name: string, version?: string): Tracer {
  return trace.getTracer(name, version);
}

interface FlushableProvider {
  getDelegate?(): { forceFlush?(): Promise<void> };
}

/**
 * Exports buffered spans and shuts the SDK down, within 3 s whatever the backends do.
 * No-op when telemetry is not registered; concurrent calls share one shutdown. Never rejects.
 */
export function shutdownTelemetry(): Promise<void> {
  const sdk = registeredTelemetry();
  if (!sdk) return shuttingDown ?? Promise.resolve();
  setRegisteredTelemetry(undefined);
  const work = (async () => {
    const provider = (trace.getTracerProvider() as FlushableProvider).getDelegate?.();
    await provider?.forceFlush?.().catch(() => undefined);
    await sdk.shutdown().catch(() => undefined);
  })();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, SHUTDOWN_BOUND_MS);
    timer.unref();
  });
  shuttingDown = Promise.race([work, bound]).finally(() => clearTimeout(timer));
  return shuttingDown;
}
