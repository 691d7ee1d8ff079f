import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRuleFiles, renderPrometheusConfig } from '../config/prometheus.js';
import { BrewopsError } from '../errors.js';
import { ensureAptPackage } from '../install/apt.js';
import { lastLines, runCommand } from '../install/run.js';
import { ensureDir } from '../paths.js';
import { httpReady, probeHttp } from '../probe.js';
import { DEFAULT_READY_TIMEOUT_MS, startProcess, stopProcess } from './common.js';
import type { Backend, BackendContext } from './types.js';

const BIN = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';

/** Prometheus 2.42 from Debian; scrapes service instances through http_sd from the supervisor. */
export function prometheusBackend(ctx: BackendContext): Backend {
  const { ports, paths } = ctx;
  const dir = join(paths.stateDir, 'prometheus');
  const configFile = join(dir, 'prometheus.yml');
  const url = `http://127.0.0.1:${ports.prometheus}`;

  /** Writes prometheus.yml (rule files found now) and has promtool check it with its rules. */
  async function writeConfig(): Promise<void> {
    ensureDir(join(dir, 'data'));
    writeFileSync(configFile, renderPrometheusConfig({
      supervisorUrl: `http://127.0.0.1:${ports.supervisor}`,
      prometheusPort: ports.prometheus,
      alertmanagerPort: ports.alertmanager,
      rabbitmqPrometheusPort: ports.rabbitmqPrometheus,
      etcdPort: ports.etcdClient,
      zipkinPort: ports.zipkin,
      opensearchPort: ports.opensearch,
      ruleFiles: findRuleFiles(join(paths.root, 'alert-rules')),
    }));
    if (!existsSync(PROMTOOL)) return;
    const check = await runCommand(PROMTOOL, ['check', 'config', configFile], { timeoutMs: 30_000 });
    if (check.code !== 0) {
      throw new BrewopsError('start_failed', `promtool rejects ${configFile}: ${lastLines(check.output, 4).join(' | ')}`,
        'fix the rule file it names under alert-rules/, then run brewops up again');
    }
  }

  return {
    name: 'prometheus',
    url,
    ports: { http: ports.prometheus },
    readyTimeoutMs: DEFAULT_READY_TIMEOUT_MS,
    processMatch: configFile,
    fixHint: `read the log above; \`promtool check config ${configFile}\` checks the config and the rule files`,
    isInstalled: () => existsSync(BIN),
    install: async () => {
      ctx.progress.step('prometheus', 'installing prometheus (apt)…');
      await ensureAptPackage('prometheus', BIN);
    },
    start: async () => {
      await writeConfig();
      return startProcess(ctx, 'prometheus', BIN, [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${ports.prometheus}`,
        '--web.enable-lifecycle',
        '--enable-feature=exemplar-storage',
      ]);
    },
    refresh: async () => {
      await writeConfig();
      const r = await probeHttp(`${url}/-/reload`, { method: 'POST' }, 10_000);
      if (r.status !== 200) throw new BrewopsError('start_failed', `config reload failed: ${r.error ?? `${r.status} ${r.body.trim()}`}`, 'restart it: brewops down && brewops up');
    },
    ready: () => httpReady(`${url}/-/ready`),
    stop: stopProcess,
  };
}
