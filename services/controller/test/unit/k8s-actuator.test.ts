import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActuator } from '../../src/actuators.js';
import { isControllerError } from '../../src/errors.js';
import { KubernetesActuator } from '../../src/k8s-actuator.js';

// A fake kube-apiserver for core/v1 pods (shapes from the Kubernetes API reference: read, delete
// with DeleteOptions, JSON merge patch; failures as `Status` objects).
interface FakePod {
  metadata: { name: string; namespace: string; uid: string; labels: Record<string, string>; deletionTimestamp?: string };
  status: { phase: string; podIP: string };
}

const dir = mkdtempSync(join(tmpdir(), 'brewops-ctl-k8s-'));
const tokenFile = join(dir, 'token');
const TOKENS: Record<string, 'ok' | 'forbidden'> = { 'sa-token-1': 'ok', 'sa-token-2': 'ok', 'sa-token-readonly': 'forbidden' };
const requests: Array<{ method: string; path: string; auth: string | undefined; contentType: string | undefined; body: string }> = [];
let pods: FakePod[] = [];
let server: Server;
let apiUrl = '';

function pod(name: string, app: string, extra: Partial<FakePod['metadata']> = {}): FakePod {
  return {
    metadata: { name, namespace: 'brewops', uid: `uid-${name}`, labels: { 'app.kubernetes.io/name': app, 'brewops.io/serving': 'true', 'pod-template-hash': '7d9f8c6b5' }, ...extra },
    status: { phase: 'Running', podIP: '10.244.0.12' },
  };
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

function apiserver(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (c: Buffer) => { body += c.toString(); });
  req.on('end', () => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', auth: req.headers.authorization, contentType: req.headers['content-type'], body });
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!TOKENS[token]) return status(res, 401, 'Unauthorized', 'Unauthorized');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/?]+)$/.exec(req.url ?? '');
    if (!m) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const verb = { GET: 'get', DELETE: 'delete', PATCH: 'patch' }[req.method ?? ''] ?? 'unknown';
    if (TOKENS[token] === 'forbidden' && verb !== 'get') {
      return status(res, 403, 'Forbidden', `pods "${m[2]}" is forbidden: User "system:serviceaccount:brewops:controller" cannot ${verb} resource "pods" in API group "" in the namespace "${m[1]}"`);
    }
    const p = pods.find((x) => x.metadata.namespace === m[1] && x.metadata.name === m[2]);
    if (!p) return status(res, 404, 'NotFound', `pods "${m[2]}" not found`);
    const ok = (o: unknown): void => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ kind: 'Pod', apiVersion: 'v1', ...(o as object) })); };
    if (req.method === 'GET') return ok(p);
    if (req.method === 'DELETE') {
      const opts = JSON.parse(body || '{}') as { preconditions?: { uid?: string } };
      if (opts.preconditions?.uid !== undefined && opts.preconditions.uid !== p.metadata.uid) {
        return status(res, 409, 'Conflict', `Operation cannot be fulfilled on Pod "${p.metadata.name}": Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${p.metadata.uid}`);
      }
      p.metadata.deletionTimestamp = '2026-01-01T00:00:30Z';
      return ok(p);
    }
    if (req.method === 'PATCH') {
      if (req.headers['content-type'] !== 'application/merge-patch+json') return status(res, 415, 'UnsupportedMediaType', 'the body of the request was in an unknown format');
      const patch = JSON.parse(body) as { metadata?: { labels?: Record<string, string | null> } };
      for (const [k, v] of Object.entries(patch.metadata?.labels ?? {})) {
        if (v === null) delete p.metadata.labels[k];
        else p.metadata.labels[k] = v;
      }
      return ok(p);
    }
    return status(res, 405, 'MethodNotAllowed', 'method not allowed');
  });
}

before(async () => {
  server = createServer(apiserver);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  apiUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  writeFileSync(tokenFile, 'sa-token-1\n');
  requests.length = 0;
  pods = [
    pod('member-7d9f8c6b5-x2k4q', 'member'),
    pod('member-7d9f8c6b5-old01', 'member', { deletionTimestamp: '2026-01-01T00:00:00Z' }),
    pod('etcd-0', 'etcd'),
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

const member = { service: 'member', instanceId: 'member-7d9f8c6b5-x2k4q' };

describe('KubernetesActuator', () => {
  it('restarts by deleting the pod named by the instance ID, guarded by its uid, with the service account token', async () => {
    const a = new KubernetesActuator({ apiUrl: `${apiUrl}/`, tokenFile, namespace: 'brewops' });
    await a.restart(member);
    assert.deepEqual(requests.map((r) => `${r.method} ${r.path} ${r.auth}`), [
      'GET /api/v1/namespaces/brewops/pods/member-7d9f8c6b5-x2k4q Bearer sa-token-1',
      'DELETE /api/v1/namespaces/brewops/pods/member-7d9f8c6b5-x2k4q Bearer sa-token-1',
    ]);
    assert.equal(requests[1]!.contentType, 'application/json');
    assert.deepEqual(JSON.parse(requests[1]!.body), { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: 'uid-member-7d9f8c6b5-x2k4q' } });
    assert.equal(pods[0]!.metadata.deletionTimestamp !== undefined, true, 'the pod is terminating');

    // a rotated token (projected service account tokens are refreshed by the kubelet) is used at once
    writeFileSync(tokenFile, 'sa-token-2\n');
    await a.quarantine({ service: 'member', instanceId: 'member-7d9f8c6b5-x2k4q' });
    assert.equal(requests.at(-1)!.auth, 'Bearer sa-token-2');
    await a.close();
  });

  it('quarantines a pod out of its Service and releases it, by merge-patching its labels', async () => {
    const a = new KubernetesActuator({ apiUrl, tokenFile, namespace: 'brewops' });
    await a.quarantine(member);
    assert.equal(requests.at(-1)!.method, 'PATCH');
    assert.equal(requests.at(-1)!.contentType, 'application/merge-patch+json');
    assert.deepEqual(pods[0]!.metadata.labels, { 'app.kubernetes.io/name': 'member', 'pod-template-hash': '7d9f8c6b5', 'brewops.io/quarantine': 'true' });
    await a.release(member);
    assert.deepEqual(pods[0]!.metadata.labels, { 'app.kubernetes.io/name': 'member', 'pod-template-hash': '7d9f8c6b5', 'brewops.io/serving': 'true' });
    await a.close();
  });

  it('maps every failure to a typed error and deletes nothing it should not', async () => {
    const a = new KubernetesActuator({ apiUrl, tokenFile, namespace: 'brewops' });
    assert.match(await code(a.restart({ service: 'member', instanceId: 'member-gone' })), /^unknown_instance: no pod brewops\/member-gone: 404 NotFound: pods "member-gone" not found/);
    assert.match(await code(a.restart({ service: 'member', instanceId: 'member-7d9f8c6b5-old01' })), /^stopped_on_purpose: pod member-7d9f8c6b5-old01 is already terminating/);
    // an instance ID that names another workload's pod is refused, not deleted
    assert.match(await code(a.restart({ service: 'member', instanceId: 'etcd-0' })), /^actuator_refused: pod etcd-0 is labelled app.kubernetes.io\/name=etcd, not member/);
    assert.deepEqual(requests.filter((r) => r.method !== 'GET'), [], 'no DELETE sent');

    writeFileSync(tokenFile, 'sa-token-readonly');
    assert.match(await code(a.restart(member)), /^actuator_refused: Kubernetes API forbids DELETE pod brewops\/member-7d9f8c6b5-x2k4q: 403 Forbidden: .*cannot delete resource "pods".*\(RBAC: .*pods get, list, delete, patch in namespace brewops\)/);
    writeFileSync(tokenFile, 'expired');
    assert.match(await code(a.restart(member)), /^actuator_refused: Kubernetes API rejected the token .*401 Unauthorized.*CONTROLLER_K8S_TOKEN_FILE/);
    rmSync(tokenFile);
    assert.match(await code(a.restart(member)), /^token_missing: cannot read token file/);
    await a.close();

    writeFileSync(tokenFile, 'sa-token-1');
    const wrongNs = new KubernetesActuator({ apiUrl, tokenFile, namespace: 'default' });
    assert.match(await code(wrongNs.restart(member)), /^unknown_instance: no pod default\/member-7d9f8c6b5-x2k4q/);
    await wrongNs.close();
    const down = new KubernetesActuator({ apiUrl: 'http://127.0.0.1:9', tokenFile, namespace: 'brewops', timeoutMs: 1000 });
    assert.match(await code(down.restart(member)), /^actuator_unreachable: Kubernetes API at http:\/\/127.0.0.1:9 does not answer: ECONNREFUSED/);
    await down.close();
    assert.equal(pods[0]!.metadata.deletionTimestamp, undefined, 'the pod still runs');
  });
});

describe('createActuator (kubernetes)', () => {
  const log = { info: (): void => {} };
  const local = { url: 'http://127.0.0.1:9500', tokenFile: '.brewops/admin-token' };
  const saDir = join(dir, 'serviceaccount');

  it('reads the namespace and token from the service account files and acts on that namespace', async () => {
    mkdirSync(saDir, { recursive: true });
    writeFileSync(join(saDir, 'token'), 'sa-token-1');
    writeFileSync(join(saDir, 'namespace'), 'brewops');
    const a = createActuator({ CONTROLLER_ACTUATOR: 'kubernetes', CONTROLLER_K8S_API: apiUrl }, log, local, saDir);
    assert.equal(a.kind, 'kubernetes');
    await a.restart(member);
    assert.equal(requests.at(-1)!.method, 'DELETE');
    assert.equal(requests.at(-1)!.path, '/api/v1/namespaces/brewops/pods/member-7d9f8c6b5-x2k4q');
    await (a as KubernetesActuator).close();
  });

  it('in a cluster: finds the API from KUBERNETES_SERVICE_HOST/PORT and verifies its TLS certificate with the service account CA', async (t) => {
    const cert = (name: string): { key: string; cert: string } => {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`), '-subj', '/CN=kube-apiserver', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      return { key: readFileSync(join(dir, `${name}.key`), 'utf8'), cert: readFileSync(join(dir, `${name}.crt`), 'utf8') };
    };
    let apiCert: { key: string; cert: string };
    try {
      apiCert = cert('apiserver');
    } catch {
      t.skip('openssl is not available to make a test certificate');
      return;
    }
    const tls = createTlsServer(apiCert, apiserver);
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    const port = String((tls.address() as { port: number }).port);
    try {
      mkdirSync(saDir, { recursive: true });
      writeFileSync(join(saDir, 'token'), 'sa-token-1');
      writeFileSync(join(saDir, 'namespace'), 'brewops');
      writeFileSync(join(saDir, 'ca.crt'), apiCert.cert);
      const env = { CONTROLLER_ACTUATOR: 'kubernetes', KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port };
      const a = createActuator(env, log, local, saDir) as KubernetesActuator;
      await a.restart(member);
      assert.equal(requests.at(-1)!.method, 'DELETE');
      await a.close();

      // a server whose certificate the CA did not sign is not trusted with the token
      writeFileSync(join(saDir, 'ca.crt'), cert('other').cert);
      const untrusting = createActuator(env, log, local, saDir) as KubernetesActuator;
      const before = requests.length;
      assert.match(await code(untrusting.restart({ service: 'member', instanceId: 'member-7d9f8c6b5-x2k4q' })), /^actuator_unreachable: Kubernetes API at https:\/\/127.0.0.1:\d+ does not answer: .*(self.signed|certificate)/i);
      assert.equal(requests.length, before, 'no request reached the server');
      await untrusting.close();
    } finally {
      tls.close();
    }
  });

  it('refuses to start with a message naming what to set', () => {
    const missing = join(dir, 'no-sa');
    assert.throws(() => createActuator({ CONTROLLER_ACTUATOR: 'kubernetes' }, log, local, missing), /not running in a cluster \(KUBERNETES_SERVICE_HOST unset\): set CONTROLLER_K8S_API/);
    assert.throws(() => createActuator({ CONTROLLER_ACTUATOR: 'kubernetes', KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, log, local, missing),
      /cannot read a token from .*no-sa\/token: set CONTROLLER_K8S_TOKEN_FILE, or give the pod a service account token/);
    assert.throws(() => createActuator({ CONTROLLER_ACTUATOR: 'kubernetes', CONTROLLER_K8S_API: apiUrl, CONTROLLER_K8S_TOKEN_FILE: tokenFile }, log, local, missing), /no namespace: set CONTROLLER_K8S_NAMESPACE/);
    // in a cluster the CA comes from the service account; without it TLS could not be verified
    assert.throws(() => createActuator({ CONTROLLER_ACTUATOR: 'kubernetes', KUBERNETES_SERVICE_HOST: '10.96.0.1', CONTROLLER_K8S_TOKEN_FILE: tokenFile, CONTROLLER_K8S_NAMESPACE: 'brewops' }, log, local, missing),
      /cannot read the CA certificate .*no-sa\/ca.crt: set CONTROLLER_K8S_CA_FILE/);
    assert.throws(() => createActuator({ CONTROLLER_ACTUATOR: 'kubernetes', CONTROLLER_K8S_API: 'cluster.local', CONTROLLER_K8S_TOKEN_FILE: tokenFile, CONTROLLER_K8S_NAMESPACE: 'brewops' }, log, local, missing), /CONTROLLER_K8S_API is not a URL/);
  });
});
