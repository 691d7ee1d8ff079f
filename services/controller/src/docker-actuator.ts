import { Agent, request } from 'undici';
import { ControllerError } from './errors.js';
import type { Actuator, ActuatorTarget } from './actuator.js';

/** Label every brewops container carries: the registry's service name (e.g. `member`). */
export const LABEL_SERVICE = 'io.brewops.service';
/** Label naming the instance (its `BREWOPS_INSTANCE_ID`), set per container in the compose file. */
export const LABEL_INSTANCE_ID = 'io.brewops.instance-id';
/** Compose's own project label, used to confine the actuator to one stack. */
export const LABEL_COMPOSE_PROJECT = 'com.docker.compose.project';

export interface DockerActuatorOptions {
  /**
   * Where the Engine API listens, like `DOCKER_HOST`: `unix:///var/run/docker.sock`, `tcp://host:2375`
   * (plain HTTP, e.g. a docker-socket-proxy) or an `http(s)://` URL.
   * @default unix:///var/run/docker.sock
   */
  readonly host?: string;
  /** Engine API version in the path (`/v1.44/...`): 1.44 is Docker 25+, and the oldest Docker 29 accepts. @default 1.44 */
  readonly apiVersion?: string;
  /** Seconds Docker waits after SIGTERM before it kills the container (`?t=`). @default 5 */
  readonly stopTimeoutSec?: number;
  /** Only act on containers of this compose project (`com.docker.compose.project`). @default any project */
  readonly project?: string;
  /** Deadline of a list/inspect call, ms; a restart gets `stopTimeoutSec` more. @default 10000 */
  readonly timeoutMs?: number;
}

interface Endpoint {
  readonly origin: string;
  readonly socketPath?: string;
}

/** Parses a `DOCKER_HOST`-style address; throws a plain `Error` naming the value when it is not one. */
export function parseDockerHost(host: string): Endpoint {
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new Error(`Docker host ${host} is not unix:///absolute/path`);
    return { origin: 'http://localhost', socketPath };
  }
  let url: URL;
  try {
    url = new URL(host.startsWith('tcp://') ? `http://${host.slice('tcp://'.length)}` : host);
  } catch {
    throw new Error(`Docker host ${host} is neither unix:///path, tcp://host:port nor an http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`Docker host ${host}: unsupported scheme ${url.protocol}`);
  return { origin: url.origin };
}

interface ContainerSummary {
  readonly Id: string;
  readonly Names?: string[];
}

interface ContainerInspect {
  readonly Id: string;
  readonly Name?: string;
  readonly State?: { Status?: string; ExitCode?: number; OOMKilled?: boolean };
}

/**
 * Restarts the container of an instance through the Docker Engine API (`POST /containers/{id}/restart`).
 * The container is found by its labels: `io.brewops.service=<service>` and `io.brewops.instance-id=<id>`,
 * or, for replicas without a per-container label, by the default instance ID `<service>-<hostname>-<pid>`
 * whose hostname is the container's short ID. Exited with code 0 (a drained `docker stop`) or paused
 * counts as stopped on purpose and is left alone.
 */
export class DockerActuator implements Actuator {
  readonly kind = 'docker';
  private readonly endpoint: Endpoint;
  private readonly agent: Agent;
  private readonly prefix: string;

  constructor(private readonly opts: DockerActuatorOptions = {}) {
    this.endpoint = parseDockerHost(opts.host ?? 'unix:///var/run/docker.sock');
    this.agent = new Agent(this.endpoint.socketPath === undefined ? {} : { connect: { socketPath: this.endpoint.socketPath } });
    this.prefix = `/v${opts.apiVersion ?? '1.44'}`;
  }

  async restart(target: ActuatorTarget): Promise<void> {
    const summary = await this.find(target);
    const c = (await this.call('GET', `/containers/${summary.Id}/json`, target)) as ContainerInspect;
    const name = (c.Name ?? summary.Names?.[0] ?? summary.Id.slice(0, 12)).replace(/^\//, '');
    const state = c.State ?? {};
    if (state.Status === 'paused') throw new ControllerError('stopped_on_purpose', `container ${name} of ${target.instanceId} is paused (docker pause)`);
    if (state.Status === 'removing' || state.Status === 'dead') throw new ControllerError('unknown_instance', `container ${name} of ${target.instanceId} is ${state.Status}`);
    if (state.Status === 'exited' && state.ExitCode === 0 && state.OOMKilled !== true) {
      throw new ControllerError('stopped_on_purpose', `container ${name} of ${target.instanceId} exited with code 0 (stopped on purpose, e.g. docker stop)`);
    }
    const t = this.opts.stopTimeoutSec ?? 5;
    await this.call('POST', `/containers/${summary.Id}/restart?t=${t}`, target, t * 1000);
  }

  /** Closes the connections to the engine. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  private async find(target: ActuatorTarget): Promise<ContainerSummary> {
    const labels = [`${LABEL_SERVICE}=${target.service}`];
    if (this.opts.project !== undefined) labels.push(`${LABEL_COMPOSE_PROJECT}=${this.opts.project}`);
    let found = await this.list({ label: [...labels, `${LABEL_INSTANCE_ID}=${target.instanceId}`] }, target);
    const shortId = found.length === 0 ? shortIdOfDefaultInstanceId(target) : undefined;
    // the `id` filter matches a substring of the full ID: keep only real prefixes
    if (shortId !== undefined) found = (await this.list({ label: labels, id: [shortId] }, target)).filter((c) => c.Id.startsWith(shortId));
    if (found.length === 0) {
      throw new ControllerError('unknown_instance', `no container labelled ${LABEL_SERVICE}=${target.service} and ${LABEL_INSTANCE_ID}=${target.instanceId}`);
    }
    if (found.length > 1) {
      const names = found.map((c) => c.Names?.[0] ?? c.Id.slice(0, 12)).join(', ');
      throw new ControllerError('actuator_refused', `${found.length} containers claim to be ${target.instanceId} (${names}); refusing to guess`);
    }
    return found[0]!;
  }

  private async list(filters: Record<string, string[]>, target: ActuatorTarget): Promise<ContainerSummary[]> {
    const q = new URLSearchParams({ all: 'true', filters: JSON.stringify(filters) });
    const body = await this.call('GET', `/containers/json?${q.toString()}`, target);
    return Array.isArray(body) ? (body as ContainerSummary[]) : [];
  }

  private async call(method: 'GET' | 'POST', path: string, target: ActuatorTarget, extraMs = 0): Promise<unknown> {
    const where = this.endpoint.socketPath ?? this.endpoint.origin;
    let status: number;
    let text: string;
    try {
      const res = await request(`${this.endpoint.origin}${this.prefix}${path}`, {
        method,
        dispatcher: this.agent,
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout((this.opts.timeoutMs ?? 10_000) + extraMs),
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      throw new ControllerError('actuator_unreachable', `Docker Engine at ${where} does not answer: ${networkReason(err)}`, { cause: err });
    }
    let body: unknown = undefined;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (status >= 200 && status < 300) return body;
    const message = (body as { message?: unknown } | undefined)?.message;
    const detail = `${status}${typeof message === 'string' ? ` ${message}` : ''}`;
    if (status === 404 && !path.startsWith('/containers/json')) throw new ControllerError('unknown_instance', `container of ${target.instanceId} vanished: ${detail}`);
    throw new ControllerError('actuator_refused', `Docker Engine refused ${method} ${path.split('?')[0]}: ${detail}`);
  }
}

/** `member-0123456789ab-1` → `0123456789ab`: the default instance ID inside a container whose hostname is its short ID. */
function shortIdOfDefaultInstanceId(target: ActuatorTarget): string | undefined {
  const rest = target.instanceId.startsWith(`${target.service}-`) ? target.instanceId.slice(target.service.length + 1) : '';
  return /^([0-9a-f]{12})-\d+$/.exec(rest)?.[1];
}

function networkReason(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  if (code === 'EACCES') return `${code}: no permission on the socket (run the controller in the docker group, or use a docker-socket-proxy)`;
  if (code === 'ENOENT') return `${code}: no socket there (mount /var/run/docker.sock or set CONTROLLER_DOCKER_HOST)`;
  return code !== undefined && !(e.message ?? '').includes(code) ? `${code} ${e.message ?? ''}`.trim() : (e.message ?? String(err));
}
