import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureAptPackage } from '../install/apt.js';
import { ensureDir } from '../paths.js';
import { httpReady } from '../probe.js';
import { DEFAULT_READY_TIMEOUT_MS, startProcess, stopProcess } from './common.js';
import type { Backend, BackendContext } from './types.js';

const BIN = '/usr/bin/etcd';

/** etcd 3.4 from Debian (`etcd-server`): the registry, config store and leader election. */
export function etcdBackend(ctx: BackendContext): Backend {
  const { ports, paths } = ctx;
  const dataDir = join(paths.stateDir, 'etcd');
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return {
    name: 'etcd',
    url: client,
    ports: { client: ports.etcdClient, peer: ports.etcdPeer },
    readyTimeoutMs: DEFAULT_READY_TIMEOUT_MS,
    processMatch: dataDir,
    fixHint: `read the log above; if the data is corrupt, delete ${dataDir} (registrations are rebuilt by the instances)`,
    isInstalled: () => existsSync(BIN),
    install: async () => {
      ctx.progress.step('etcd', 'installing etcd-server (apt)…');
      await ensureAptPackage('etcd-server', BIN);
    },
    start: () => {
      ensureDir(dataDir);
      return startProcess(ctx, 'etcd', BIN, [
        '--name', 'brewops',
        '--data-dir', dataDir,
        '--listen-client-urls', client,
        '--advertise-client-urls', client,
        '--listen-peer-urls', peer,
        '--initial-advertise-peer-urls', peer,
        '--initial-cluster', `brewops=${peer}`,
        '--logger', 'zap',
        '--log-outputs', 'stderr',
      ]);
    },
    ready: () =>
      httpReady(`${client}/health`, (body) => {
        try {
          return (JSON.parse(body) as { health?: unknown }).health === 'true' ? null : `/health says ${body.trim()}`;
        } catch {
          return `/health answered ${body.slice(0, 80)}`;
        }
      }),
    stop: stopProcess,
  };
}
