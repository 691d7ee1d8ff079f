import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActuator } from '../../src/actuators.js';
import { DockerActuator } from '../../src/docker-actuator.js';
import { isControllerError } from '../../src/errors.js';

// A fake Docker Engine (API shapes from docs.docker.com/reference/api/engine: ContainerList,
// ContainerInspect, ContainerRestart) on a unix socket and on TCP; it filters like the engine does.
interface FakeContainer {
  Id: string;
  Name: string;
  Labels: Record<string, string>;
  State: { Status: string; Running: boolean; Paused: boolean; OOMKilled: boolean; ExitCode: number };
  restartFails?: { status: number; message: string };
}

const dir = mkdtempSync(join(tmpdir(), 'brewops-ctl-docker-'));
const socketPath = join(dir, 'docker.sock');
const requests: Array<{ method: string; path: string; query: URLSearchParams; accept: string | undefined }> = [];
const restarted: string[] = [];
let containers: FakeContainer[] = [];
let unixServer: Server;
let tcpServer: Server;
let tcpPort = 0;

function container(id: string, name: string, labels: Record<string, string>, state: Partial<FakeContainer['State']> = {}): FakeContainer {
  return {
    Id: id.padEnd(64, '0'),
    Name: `/${name}`,
    Labels: { 'com.docker.compose.project': 'brewops', ...labels },
    State: { Status: 'running', Running: true, Paused: false, OOMKilled: false, ExitCode: 0, ...state },
  };
}

function engine(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://docker');
  requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, accept: req.headers.accept });
  const send = (status: number, body?: unknown): void => {
    if (body === undefined) { res.writeHead(status); res.end(); return; }
    res.writeHead(status, { 'content-type': 'application/json', 'api-version': '1.44' });
    res.end(JSON.stringify(body));
  };
  const m = /^\/v1\.44\/containers\/(json|[0-9a-f]{64}\/(json|restart))$/.exec(url.pathname);
  if (!m) return send(400, { message: 'client version 1.99 is too new. Maximum supported API version is 1.44' });
  if (m[1] === 'json' && req.method === 'GET') {
    const filters = JSON.parse(url.searchParams.get('filters') ?? '{}') as { label?: string[]; id?: string[] };
    const all = url.searchParams.get('all') === 'true';
    const list = containers.filter((c) =>
      (all || c.State.Running) &&
      (filters.label ?? []).every((l) => { const [k, v] = l.split('='); return c.Labels[k!] === v; }) &&
      (filters.id ?? []).every((s) => c.Id.includes(s)));
    return send(200, list.map((c) => ({
      Id: c.Id, Names: [c.Name], Image: 'brewops/member:0.1.0', State: c.State.Status,
      Status: c.State.Running ? 'Up 2 minutes' : `Exited (${c.State.ExitCode}) 5 seconds ago`, Labels: c.Labels,
    })));
  }
  const c = containers.find((x) => url.pathname.includes(x.Id));
  if (!c) return send(404, { message: `No such container: ${url.pathname.split('/')[3]}` });
  if (m[2] === 'json' && req.method === 'GET') return send(200, { Id: c.Id, Name: c.Name, State: c.State, HostConfig: { RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 } } });
  if (m[2] === 'restart' && req.method === 'POST') {
    if (c.restartFails) return send(c.restartFails.status, { message: c.restartFails.message });
    restarted.push(c.Name);
    return send(204);
  }
  return send(405, { message: 'method not allowed' });
}

before(async () => {
  unixServer = createServer(engine);
  tcpServer = createServer(engine);
  await new Promise<void>((r) => unixServer.listen(socketPath, r));
  await new Promise<void>((r) => tcpServer.listen(0, '127.0.0.1', r));
  tcpPort = (tcpServer.address() as { port: number }).port;
});

after(() => {
  unixServer.close();
  tcpServer.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  requests.length = 0;
  restarted.length = 0;
  containers = [
    container('aaaa1111', 'brewops-member-1-1', { 'io.brewops.service': 'member', 'io.brewops.instance-id': 'member-1' }),
    container('bbbb2222', 'brewops-member-2-1', { 'io.brewops.service': 'member', 'io.brewops.instance-id': 'member-2' }, { Status: 'exited', Running: false, ExitCode: 0 }),
    container('cccc3333', 'brewops-order-1', { 'io.brewops.service': 'order', 'io.brewops.instance-id': 'order-1' }, { Status: 'exited', Running: false, ExitCode: 137, OOMKilled: true }),
    container('dddd4444', 'brewops-barista-1', { 'io.brewops.service': 'barista', 'io.brewops.instance-id': 'barista-1' }, { Status: 'paused', Running: true, Paused: true }),
    // two replicas of one compose service: no per-container instance label, default IDs `<service>-<hostname>-<pid>`
    container('0123456789ab', 'brewops-payment-1', { 'io.brewops.service': 'payment' }),
    container('ffff0123456789ab', 'brewops-payment-2', { 'io.brewops.service': 'payment' }),
  ];
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isControllerError(e) ? `${e.code}: ${e.message}` : `untyped: ${String(e)}`;
  }
}

describe('DockerActuator', () => {
  it('finds the container by its labels and restarts it through the pinned Engine API on the socket', async () => {
    const a = new DockerActuator({ host: `unix://${socketPath}` });
    await a.restart({ service: 'member', instanceId: 'member-1' });
    await a.close();
    assert.deepEqual(restarted, ['/brewops-member-1-1']);
    assert.deepEqual(requests.map((r) => `${r.method} ${r.path}`), [
      'GET /v1.44/containers/json',
      `GET /v1.44/containers/${'aaaa1111'.padEnd(64, '0')}/json`,
      `POST /v1.44/containers/${'aaaa1111'.padEnd(64, '0')}/restart`,
    ]);
    assert.equal(requests[0]!.query.get('all'), 'true', 'stopped containers must be found too');
    assert.deepEqual(JSON.parse(requests[0]!.query.get('filters')!), { label: ['io.brewops.service=member', 'io.brewops.instance-id=member-1'] });
    assert.equal(requests[2]!.query.get('t'), '5');
    assert.equal(requests[0]!.accept, 'application/json');
  });

  it('restarts a crashed (non-zero exit, OOM-killed) container, over tcp:// with the compose project and stop timeout', async () => {
    const a = new DockerActuator({ host: `tcp://127.0.0.1:${tcpPort}`, project: 'brewops', stopTimeoutSec: 2 });
    await a.restart({ service: 'order', instanceId: 'order-1' });
    await a.close();
    assert.deepEqual(restarted, ['/brewops-order-1']);
    assert.deepEqual(JSON.parse(requests[0]!.query.get('filters')!).label, ['io.brewops.service=order', 'com.docker.compose.project=brewops', 'io.brewops.instance-id=order-1']);
    assert.equal(requests.at(-1)!.query.get('t'), '2');
  });

  it('finds an unlabelled replica by the short container ID in its default instance ID', async () => {
    const a = new DockerActuator({ host: `unix://${socketPath}` });
    await a.restart({ service: 'payment', instanceId: 'payment-0123456789ab-1' });
    await a.close();
    // the engine's id filter also matches `ffff0123456789ab…`; only the real prefix is restarted
    assert.deepEqual(restarted, ['/brewops-payment-1']);
    assert.deepEqual(JSON.parse(requests[1]!.query.get('filters')!), { label: ['io.brewops.service=payment'], id: ['0123456789ab'] });
  });

  it('leaves containers stopped or paused on purpose alone and types every failure', async () => {
    const a = new DockerActuator({ host: `unix://${socketPath}` });
    assert.match(await code(a.restart({ service: 'member', instanceId: 'member-2' })), /^stopped_on_purpose: .*brewops-member-2-1 .*exited with code 0/);
    assert.match(await code(a.restart({ service: 'barista', instanceId: 'barista-1' })), /^stopped_on_purpose: .*paused/);
    assert.match(await code(a.restart({ service: 'member', instanceId: 'member-9' })), /^unknown_instance: no container labelled/);
    // the service label guards against acting on another service's container
    assert.match(await code(a.restart({ service: 'order', instanceId: 'member-1' })), /^unknown_instance/);
    assert.deepEqual(restarted, [], 'nothing restarted');

    containers.push(container('eeee5555', 'brewops-member-1-copy', { 'io.brewops.service': 'member', 'io.brewops.instance-id': 'member-1' }));
    assert.match(await code(a.restart({ service: 'member', instanceId: 'member-1' })), /^actuator_refused: 2 containers claim to be member-1 .*refusing to guess/);
    containers.pop();

    containers[0]!.restartFails = { status: 500, message: 'Cannot restart container aaaa1111: tried to kill container, but did not receive an exit event' };
    assert.equal(await code(a.restart({ service: 'member', instanceId: 'member-1' })),
      'actuator_refused: Docker Engine refused POST /containers/' + 'aaaa1111'.padEnd(64, '0') + '/restart: 500 Cannot restart container aaaa1111: tried to kill container, but did not receive an exit event');
    containers[0]!.restartFails = { status: 404, message: 'No such container: aaaa1111' };
    assert.match(await code(a.restart({ service: 'member', instanceId: 'member-1' })), /^unknown_instance: container of member-1 vanished: 404 No such container/);
    await a.close();

    const tooNew = new DockerActuator({ host: `unix://${socketPath}`, apiVersion: '1.99' });
    assert.match(await code(tooNew.restart({ service: 'member', instanceId: 'member-1' })), /^actuator_refused: .*400 client version 1\.99 is too new/);
    await tooNew.close();

    const gone = new DockerActuator({ host: `unix://${join(dir, 'missing.sock')}`, timeoutMs: 1000 });
    assert.match(await code(gone.restart({ service: 'member', instanceId: 'member-1' })), /^actuator_unreachable: Docker Engine at .*missing\.sock does not answer: ENOENT/);
    await gone.close();
    const closed = new DockerActuator({ host: 'tcp://127.0.0.1:9', timeoutMs: 1000 });
    assert.match(await code(closed.restart({ service: 'member', instanceId: 'member-1' })), /^actuator_unreachable: .*ECONNREFUSED/);
    await closed.close();
  });
});

describe('createActuator (docker)', () => {
  const log = { info: (): void => {} };
  const local = { url: 'http://127.0.0.1:9500', tokenFile: '.brewops/admin-token' };

  it('defaults to the local supervisor and picks docker from CONTROLLER_ACTUATOR', () => {
    assert.equal(createActuator({}, log, local).kind, 'local-supervisor');
    assert.equal(createActuator({ CONTROLLER_ACTUATOR: 'docker', CONTROLLER_DOCKER_HOST: `unix://${socketPath}` }, log, local).kind, 'docker');
    assert.equal(createActuator({ CONTROLLER_ACTUATOR: 'docker', DOCKER_HOST: `tcp://127.0.0.1:${tcpPort}` }, log, local).kind, 'docker');
  });

  it('refuses to start with a clear message when misconfigured', () => {
    assert.throws(() => createActuator({ CONTROLLER_ACTUATOR: 'podman' }, log, local), /CONTROLLER_ACTUATOR must be local, docker or kubernetes \(got "podman"\)/);
    assert.throws(() => createActuator({ CONTROLLER_ACTUATOR: 'docker', CONTROLLER_DOCKER_HOST: `unix://${join(dir, 'nope.sock')}` }, log, local), /no Docker socket at .*nope\.sock.*set CONTROLLER_DOCKER_HOST/);
    assert.throws(() => createActuator({ CONTROLLER_ACTUATOR: 'docker', CONTROLLER_DOCKER_HOST: 'ssh://me@host' }, log, local), /unsupported scheme ssh:/);
    assert.throws(() => createActuator({ CONTROLLER_ACTUATOR: 'docker', CONTROLLER_DOCKER_HOST: `unix://${socketPath}`, CONTROLLER_DOCKER_STOP_TIMEOUT: 'soon' }, log, local), /CONTROLLER_DOCKER_STOP_TIMEOUT/);
  });
});
