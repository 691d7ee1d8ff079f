import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DockerActuator, parseDockerHost } from './docker-actuator.js';
import { KubernetesActuator } from './k8s-actuator.js';
import { LocalSupervisorActuator } from './local-supervisor-actuator.js';
import type { Actuator } from './actuator.js';

/** Where a pod's service account token, CA and namespace are mounted. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface StartupLogger {
  info(obj: object, msg: string): void;
}

/** The local supervisor's address, resolved by main.ts (`CONTROLLER_SUPERVISOR_URL`, `..._TOKEN_FILE`). */
export interface LocalSupervisorAddress {
  readonly url: string;
  readonly tokenFile: string;
}

/**
 * Chooses the actuator from env `CONTROLLER_ACTUATOR` = `local` (default) | `docker` | `kubernetes` and
 * checks its settings at startup: a misconfiguration throws an `Error` that says which env to fix.
 *
 * - docker: `CONTROLLER_DOCKER_HOST` (else `DOCKER_HOST`, else `unix:///var/run/docker.sock`),
 *   `CONTROLLER_DOCKER_API_VERSION` (1.44), `CONTROLLER_DOCKER_PROJECT` (any), `CONTROLLER_DOCKER_STOP_TIMEOUT` (5 s).
 * - kubernetes: `CONTROLLER_K8S_API` (else in-cluster `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`),
 *   `CONTROLLER_K8S_TOKEN_FILE`, `CONTROLLER_K8S_CA_FILE`, `CONTROLLER_K8S_NAMESPACE` (else the service account's files).
 */
export function createActuator(
  env: NodeJS.ProcessEnv,
  logger: StartupLogger,
  local: LocalSupervisorAddress,
  serviceAccountDir: string = SERVICE_ACCOUNT_DIR,
): Actuator {
  const kind = env['CONTROLLER_ACTUATOR'] ?? 'local';
  switch (kind) {
    case 'local':
      logger.info({ actuator: 'local-supervisor', supervisorUrl: local.url }, 'controller: acting through the local supervisor');
      return new LocalSupervisorActuator(local);
    case 'docker':
      return docker(env, logger);
    case 'kubernetes':
      return kubernetes(env, logger, serviceAccountDir);
    default:
      throw new Error(`CONTROLLER_ACTUATOR must be local, docker or kubernetes (got "${kind}")`);
  }
}

function docker(env: NodeJS.ProcessEnv, logger: StartupLogger): DockerActuator {
  const host = env['CONTROLLER_DOCKER_HOST'] ?? env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
  const endpoint = parseDockerHost(host);
  if (endpoint.socketPath !== undefined) {
    let isSocket = false;
    try {
      isSocket = statSync(endpoint.socketPath).isSocket();
    } catch (err) {
      throw new Error(`CONTROLLER_ACTUATOR=docker: no Docker socket at ${endpoint.socketPath} (${(err as Error).message}); mount it into the container or set CONTROLLER_DOCKER_HOST`);
    }
    if (!isSocket) throw new Error(`CONTROLLER_ACTUATOR=docker: ${endpoint.socketPath} is not a socket; set CONTROLLER_DOCKER_HOST`);
  }
  const stop = env['CONTROLLER_DOCKER_STOP_TIMEOUT'];
  const stopTimeoutSec = stop === undefined ? 5 : Number(stop);
  if (!Number.isInteger(stopTimeoutSec) || stopTimeoutSec < 0) throw new Error(`CONTROLLER_DOCKER_STOP_TIMEOUT must be whole seconds >= 0 (got "${stop}")`);
  const apiVersion = env['CONTROLLER_DOCKER_API_VERSION'] ?? '1.44';
  if (!/^1\.\d+$/.test(apiVersion)) throw new Error(`CONTROLLER_DOCKER_API_VERSION must look like 1.44 (got "${apiVersion}")`);
  const project = env['CONTROLLER_DOCKER_PROJECT'];
  logger.info({ actuator: 'docker', dockerHost: host, apiVersion, project: project ?? '(any)' }, 'controller: acting through the Docker Engine API');
  return new DockerActuator({ host, apiVersion, stopTimeoutSec, ...(project === undefined ? {} : { project }) });
}

function kubernetes(env: NodeJS.ProcessEnv, logger: StartupLogger, saDir: string): KubernetesActuator {
  let apiUrl = env['CONTROLLER_K8S_API'];
  if (apiUrl === undefined) {
    const host = env['KUBERNETES_SERVICE_HOST'];
    if (host === undefined || host === '') return need('not running in a cluster (KUBERNETES_SERVICE_HOST unset): set CONTROLLER_K8S_API');
    apiUrl = `https://${host.includes(':') ? `[${host}]` : host}:${env['KUBERNETES_SERVICE_PORT'] ?? '443'}`;
  }
  try {
    new URL(apiUrl);
  } catch {
    need(`CONTROLLER_K8S_API is not a URL: "${apiUrl}"`);
  }
  const tokenFile = env['CONTROLLER_K8S_TOKEN_FILE'] ?? join(saDir, 'token');
  const token = readOrUndefined(tokenFile);
  if (token === undefined || token === '') {
    need(`cannot read a token from ${tokenFile}: set CONTROLLER_K8S_TOKEN_FILE, or give the pod a service account token (automountServiceAccountToken)`);
  }
  const namespace = env['CONTROLLER_K8S_NAMESPACE'] ?? readOrUndefined(join(saDir, 'namespace'));
  if (namespace === undefined || namespace === '') need(`no namespace: set CONTROLLER_K8S_NAMESPACE (${join(saDir, 'namespace')} is not readable)`);
  const caFile = env['CONTROLLER_K8S_CA_FILE'] ?? (env['CONTROLLER_K8S_API'] === undefined ? join(saDir, 'ca.crt') : undefined);
  let ca: string | undefined;
  if (caFile !== undefined) {
    ca = readOrUndefined(caFile);
    if (ca === undefined || ca === '') need(`cannot read the CA certificate ${caFile}: set CONTROLLER_K8S_CA_FILE`);
  }
  logger.info({ actuator: 'kubernetes', apiUrl, namespace, tokenFile, caFile: caFile ?? '(system CAs)' }, 'controller: acting through the Kubernetes API');
  return new KubernetesActuator({ apiUrl, tokenFile, namespace, ...(ca === undefined ? {} : { ca }) });
}

function need(what: string): never {
  throw new Error(`CONTROLLER_ACTUATOR=kubernetes: ${what}`);
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}
