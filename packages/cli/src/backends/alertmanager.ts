import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderMinimalAlertmanagerConfig } from '../config/alertmanager.js';
import { BrewopsError } from '../errors.js';
import { ensureAptPackage } from '../install/apt.js';
import { lastLines, runCommand } from '../install/run.js';
import { ensureDir } from '../paths.js';
import { CONTROLLER_WEBHOOK_TOKEN, ensureSecretToken } from '../secrets.js';
import { httpReady } from '../probe.js';
import { DEFAULT_READY_TIMEOUT_MS, startProcess, stopProcess } from './common.js';
import type { Backend, BackendContext } from './types.js';

const BIN = '/usr/bin/prometheus-alertmanager';
const AMTOOL = '/usr/bin/amtool';

/** Alertmanager 0.25 from Debian; config from alert-rules/alertmanager.yml when it exists. */
export function alertmanagerBackend(ctx: BackendContext): Backend {
  const { ports, paths } = ctx;
  const dir = join(paths.stateDir, 'alertmanager');
  const storage = join(dir, 'data');
  const url = `http://127.0.0.1:${ports.alertmanager}`;

  function configFile(): string {
    const repoConfig = join(paths.root, 'alert-rules', 'alertmanager.yml');
    if (existsSync(repoConfig)) return repoConfig;
    const generated = join(ensureDir(dir), 'alertmanager.yml');
    writeFileSync(generated, renderMinimalAlertmanagerConfig());
    return generated;
  }

  return {
    name: 'alertmanager',
    url,
    ports: { http: ports.alertmanager },
    readyTimeoutMs: DEFAULT_READY_TIMEOUT_MS,
    processMatch: storage,
    fixHint: 'read the log above; `amtool check-config <file>` checks the config',
    isInstalled: () => existsSync(BIN),
    install: async () => {
      ctx.progress.step('alertmanager', 'installing prometheus-alertmanager (apt)…');
      await ensureAptPackage('prometheus-alertmanager', BIN);
    },
    start: async () => {
      ensureDir(storage);
      // alert-rules/alertmanager.yml reads the controller webhook's bearer token from this file.
      ensureSecretToken(paths.stateDir, CONTROLLER_WEBHOOK_TOKEN);
      const config = configFile();
      if (existsSync(AMTOOL)) {
        const check = await runCommand(AMTOOL, ['check-config', config], { timeoutMs: 30_000 });
        if (check.code !== 0) {
          throw new BrewopsError('start_failed', `amtool rejects ${config}: ${lastLines(check.output, 4).join(' | ')}`,
            `fix ${config}, then run brewops up again`);
        }
      }
      return startProcess(ctx, 'alertmanager', BIN, [
        `--config.file=${config}`,
        `--storage.path=${storage}`,
        `--web.listen-address=127.0.0.1:${ports.alertmanager}`,
        '--cluster.listen-address=',
      ]);
    },
    ready: () => httpReady(`${url}/-/ready`),
    stop: stopProcess,
  };
}
