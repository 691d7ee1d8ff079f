/**
 * Starts tracing before the application loads:
 *   node --import <root>/packages/platform/dist/src/telemetry/register.js app.js
 * Reads the runtime env (BREWOPS_SERVICE, BREWOPS_INSTANCE_ID, BREWOPS_VERSION, ZIPKIN_URL).
 * Without BREWOPS_SERVICE it only warns on stderr, so tooling can load it safely; it never throws.
 */
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { readRuntimeEnv } from '../env.js';

function warn(message: string): void {
  process.stderr.write(`brewops telemetry: ${message}\n`);
}

if (!process.env['BREWOPS_SERVICE']) {
  warn('BREWOPS_SERVICE is not set; tracing is not started');
} else {
  try {
    // OTEL_LOG_LEVEL, when set, is applied by the SDK itself; otherwise warnings only, on stderr.
    if (!process.env['OTEL_LOG_LEVEL']) {
      diag.setLogger(new DiagConsoleLogger(), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    }
    const env = readRuntimeEnv();
    // Loaded only here: the SDK takes about a second to load, which tooling should not pay.
    const { startTelemetry } = require('./sdk.js') as typeof import('./sdk.js');
    startTelemetry({ service: env.service, instanceId: env.instanceId, version: env.version, zipkinUrl: env.zipkinUrl });
  } catch (err) {
    warn(`not started: ${err instanceof Error ? err.message : String(err)}`);
  }
}
