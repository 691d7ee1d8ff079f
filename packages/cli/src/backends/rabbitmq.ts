import { existsSync } from 'node:fs';
import { BrewopsError } from '../errors.js';
import { ensureAptPackage } from '../install/apt.js';
import { lastLines, runCommand } from '../install/run.js';
import { httpReady, isPortOpen, type Readiness } from '../probe.js';
import { portOwner } from '../process/port-owner.js';
import { DEFAULT_READY_TIMEOUT_MS, startProcess, stopProcess } from './common.js';
import type { Backend, BackendContext, BackendProcess } from './types.js';

const SERVER = '/usr/sbin/rabbitmq-server';
const PLUGINS = ['rabbitmq_management', 'rabbitmq_prometheus'];

/**
 * RabbitMQ 3.10 from Debian. One already listening on the AMQP port is reused (owned=false:
 * never stopped); brewops only enables the management and prometheus plugins on it.
 */
export function rabbitmqBackend(ctx: BackendContext): Backend {
  const { ports } = ctx;
  const metricsUrl = `http://127.0.0.1:${ports.rabbitmqPrometheus}/metrics`;
  const managementUrl = `http://127.0.0.1:${ports.rabbitmqManagement}/`;

  async function pluginsAnswer(): Promise<boolean> {
    return (await httpReady(metricsUrl)).ready && (await httpReady(managementUrl)).ready;
  }

  async function enablePlugins(offline: boolean): Promise<void> {
    const args = [...(offline ? ['--offline'] : []), 'enable', ...PLUGINS];
    const r = await runCommand('rabbitmq-plugins', args, { timeoutMs: 60_000 });
    if (r.code !== 0) {
      throw new BrewopsError('start_failed', `rabbitmq-plugins ${args.join(' ')} failed: ${lastLines(r.output, 3).join(' | ')}`,
        `run \`rabbitmq-plugins ${args.join(' ')}\` as root and fix what it reports`);
    }
  }

  return {
    name: 'rabbitmq',
    url: `amqp://guest:guest@127.0.0.1:${ports.rabbitmqAmqp}`,
    ports: { amqp: ports.rabbitmqAmqp, management: ports.rabbitmqManagement, prometheus: ports.rabbitmqPrometheus },
    readyTimeoutMs: DEFAULT_READY_TIMEOUT_MS,
    processMatch: 'rabbit',
    fixHint: 'read the log above and /var/log/rabbitmq/; `rabbitmq-diagnostics status` shows what the node is doing',
    isInstalled: () => existsSync(SERVER),
    install: async () => {
      ctx.progress.step('rabbitmq', 'installing rabbitmq-server (apt)…');
      await ensureAptPackage('rabbitmq-server', SERVER);
    },
    adopt: async (): Promise<BackendProcess | null> => {
      if (!(await isPortOpen(ports.rabbitmqAmqp))) return null;
      const owner = portOwner(ports.rabbitmqAmqp);
      ctx.progress.step('rabbitmq', `reusing the server on 127.0.0.1:${ports.rabbitmqAmqp}${owner ? ` (pid ${owner.pid}, not started by brewops)` : ''}`);
      if (!(await pluginsAnswer())) {
        ctx.progress.step('rabbitmq', `enabling ${PLUGINS.join(', ')}…`);
        await enablePlugins(false);
      }
      return { pid: owner?.pid ?? null, owned: false, exited: null };
    },
    start: async () => {
      await enablePlugins(true);
      // Foreground server in its own process group (rather than -detached) so brewops knows its pid.
      return startProcess(ctx, 'rabbitmq', SERVER, [], {
        RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
        RABBITMQ_NODE_PORT: String(ports.rabbitmqAmqp),
      });
    },
    ready: async (): Promise<Readiness> => {
      if (!(await isPortOpen(ports.rabbitmqAmqp))) return { ready: false, detail: `nothing accepts connections on ${ports.rabbitmqAmqp}` };
      return httpReady(metricsUrl);
    },
    stop: stopProcess,
  };
}
