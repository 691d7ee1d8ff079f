import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { mavenCopyArtifact } from '../install/maven.js';
import { httpReady } from '../probe.js';
import { DEFAULT_READY_TIMEOUT_MS, javaBinary, requireMaven, startProcess, stopProcess } from './common.js';
import type { Backend, BackendContext } from './types.js';

export const ZIPKIN_VERSION = '3.4.2';
const ARTIFACT = `io.zipkin:zipkin-server:${ZIPKIN_VERSION}:jar:exec`;
const JAR = `zipkin-server-${ZIPKIN_VERSION}-exec.jar`;

/** Zipkin 3 server from Maven Central, in-memory storage, `java -jar`. */
export function zipkinBackend(ctx: BackendContext): Backend {
  const { ports, paths } = ctx;
  const libDir = join(paths.libDir, 'zipkin');
  const jar = join(libDir, JAR);
  const url = `http://127.0.0.1:${ports.zipkin}`;
  return {
    name: 'zipkin',
    url,
    ports: { http: ports.zipkin },
    readyTimeoutMs: DEFAULT_READY_TIMEOUT_MS,
    processMatch: jar,
    fixHint: 'read the log above (Zipkin 3 needs Java 17+: check `java -version` or set JAVA_HOME)',
    isInstalled: () => existsSync(jar),
    install: async () => {
      requireMaven();
      ctx.progress.step('zipkin', `downloading ${ARTIFACT} (Maven)…`);
      await mavenCopyArtifact(ARTIFACT, libDir, JAR);
    },
    start: () =>
      // C1-only JIT and the serial GC: starts in ~8 s instead of ~15 s on two cores; a local
      // in-memory Zipkin never needs C2's peak throughput.
      startProcess(ctx, 'zipkin', javaBinary(), ['-Xmx512m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-jar', jar], {
        QUERY_PORT: String(ports.zipkin),
        STORAGE_TYPE: 'mem',
      }),
    ready: () =>
      httpReady(`${url}/health`, (body) => (/"status"\s*:\s*"UP"/.test(body) ? null : `/health says ${body.slice(0, 80)}`)),
    stop: stopProcess,
  };
}
