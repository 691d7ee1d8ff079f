import { Agent, request } from 'undici';
import { ControllerError } from './errors.js';
import { readTokenFile } from './token-file.js';
import type { Actuator, ActuatorTarget } from './actuator.js';

/** Pod label that must equal the registry's service name before the actuator touches a pod. */
export const LABEL_APP_NAME = 'app.kubernetes.io/name';
/** Pod label the Service selects on (`"true"`); `quarantine` removes it, `release` puts it back. */
export const LABEL_SERVING = 'brewops.io/serving';
/** Pod label marking a pod quarantined by the controller. */
export const LABEL_QUARANTINE = 'brewops.io/quarantine';

export interface KubernetesActuatorOptions {
  /** API server base URL, e.g. `https://10.96.0.1:443` in a cluster. */
  readonly apiUrl: string;
  /** Bearer token file (the service account's projected token); read on each call, so rotation applies. */
  readonly tokenFile: string;
  /** Namespace of the pods. */
  readonly namespace: string;
  /** PEM of the CA that signed the API server's certificate (in a cluster: the service account's `ca.crt`). @default the system CAs */
  readonly ca?: string;
  /** Deadline of one API call, ms. @default 10000 */
  readonly timeoutMs?: number;
}

interface Pod {
  readonly metadata?: { name?: string; uid?: string; deletionTimestamp?: string; labels?: Record<string, string> };
}

interface Status {
  readonly kind?: string;
  readonly message?: string;
  readonly reason?: string;
}

/**
 * Restarts an instance by deleting its pod (`DELETE /api/v1/namespaces/{ns}/pods/{name}`): its
 * Deployment/StatefulSet creates the replacement. The instance ID is the pod name (the manifests set
 * `BREWOPS_INSTANCE_ID` from `metadata.name`), and the pod must be labelled
 * `app.kubernetes.io/name=<service>`. A pod already terminating (scale-down, rollout, drain) is
 * stopped on purpose. `quarantine`/`release` take a pod out of its Service and back (optional).
 */
export class KubernetesActuator implements Actuator {
  readonly kind = 'kubernetes';
  private readonly agent: Agent;
  private readonly base: string;

  constructor(private readonly opts: KubernetesActuatorOptions) {
    this.agent = new Agent(opts.ca === undefined ? {} : { connect: { ca: opts.ca } });
    this.base = `${opts.apiUrl.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(opts.namespace)}/pods`;
  }

  async restart(target: ActuatorTarget): Promise<void> {
    const pod = await this.pod(target);
    if (pod.metadata?.deletionTimestamp !== undefined) {
      throw new ControllerError('stopped_on_purpose', `pod ${target.instanceId} is already terminating (deleted at ${pod.metadata.deletionTimestamp})`);
    }
    // the uid precondition makes sure the pod deleted is the one checked, not a same-name successor
    const options = { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: pod.metadata?.uid } };
    await this.call('DELETE', target, JSON.stringify(options), 'application/json');
  }

  /** Takes the pod out of its Service's endpoints (label `brewops.io/serving` removed); it keeps running. */
  async quarantine(target: ActuatorTarget): Promise<void> {
    await this.pod(target);
    await this.patchLabels(target, { [LABEL_SERVING]: null, [LABEL_QUARANTINE]: 'true' });
  }

  /** Undoes `quarantine`. */
  async release(target: ActuatorTarget): Promise<void> {
    await this.pod(target);
    await this.patchLabels(target, { [LABEL_SERVING]: 'true', [LABEL_QUARANTINE]: null });
  }

  /** Closes the connections to the API server. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  /** The instance's pod, checked to belong to the target's service. */
  private async pod(target: ActuatorTarget): Promise<Pod> {
    const pod = (await this.call('GET', target)) as Pod;
    const app = pod.metadata?.labels?.[LABEL_APP_NAME];
    if (app !== target.service) {
      throw new ControllerError('actuator_refused', `pod ${target.instanceId} is labelled ${LABEL_APP_NAME}=${app ?? '(none)'}, not ${target.service}; refusing to touch it`);
    }
    return pod;
  }

  private async patchLabels(target: ActuatorTarget, labels: Record<string, string | null>): Promise<void> {
    await this.call('PATCH', target, JSON.stringify({ metadata: { labels } }), 'application/merge-patch+json');
  }

  private async call(method: 'GET' | 'DELETE' | 'PATCH', target: ActuatorTarget, body?: string, contentType?: string): Promise<unknown> {
    const token = await readTokenFile(this.opts.tokenFile);
    const url = `${this.base}/${encodeURIComponent(target.instanceId)}`;
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${token}` };
    if (contentType !== undefined) headers['content-type'] = contentType;
    let status: number;
    let text: string;
    try {
      const res = await request(url, {
        method,
        headers,
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        ...(body === undefined ? {} : { body }),
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      const e = err as { code?: string; message?: string; cause?: { code?: string } };
      const reason = [e.code ?? e.cause?.code, e.message].filter((x) => x !== undefined).join(' ');
      throw new ControllerError('actuator_unreachable', `Kubernetes API at ${this.opts.apiUrl} does not answer: ${reason}`, { cause: err });
    }
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (status >= 200 && status < 300) return parsed;
    const s = (parsed ?? {}) as Status;
    const detail = `${status} ${s.reason ?? ''}${s.message ? `: ${s.message}` : ''}`.trim();
    const what = `${method} pod ${this.opts.namespace}/${target.instanceId}`;
    switch (status) {
      case 404:
        throw new ControllerError('unknown_instance', `no pod ${this.opts.namespace}/${target.instanceId}: ${detail}`);
      case 401:
        throw new ControllerError('actuator_refused', `Kubernetes API rejected the token for ${what}: ${detail} (check CONTROLLER_K8S_TOKEN_FILE / the mounted service account token)`);
      case 403:
        throw new ControllerError('actuator_refused', `Kubernetes API forbids ${what}: ${detail} (RBAC: the controller's service account needs a Role with pods get, list, delete, patch in namespace ${this.opts.namespace})`);
      case 409:
        throw new ControllerError('actuator_refused', `Kubernetes API refused ${what}: ${detail} (the pod was replaced in between)`);
      default:
        throw new ControllerError('actuator_refused', `Kubernetes API refused ${what}: ${detail}`);
    }
  }
}
