import { ControllerError } from './errors.js';
import { readTokenFile } from './token-file.js';
import type { Actuator, ActuatorTarget } from './actuator.js';

export interface LocalSupervisorOptions {
  /** Base URL of the supervisor's loopback admin API, e.g. `http://127.0.0.1:9500`. */
  readonly url: string;
  /** File with the admin API's bearer token (`.brewops/admin-token`). */
  readonly tokenFile: string;
  /** Deadline of one call; a restart waits for the old process to stop. @default 15000 */
  readonly timeoutMs?: number;
}

/** Restarts through `POST /v1/instances/:id/restart` of the local supervisor (instance IDs are the registry's). */
export class LocalSupervisorActuator implements Actuator {
  readonly kind = 'local-supervisor';

  constructor(private readonly opts: LocalSupervisorOptions) {}

  async restart(target: ActuatorTarget): Promise<void> {
    // An instance stopped through the admin API (or scaled away) is not the controller's to bring back.
    const list = (await this.call('/v1/instances', { method: 'GET' })) as { instances?: Array<{ id: string; state?: string }> };
    const known = list.instances?.find((i) => i.id === target.instanceId);
    if (list.instances && !known) throw new ControllerError('unknown_instance', `supervisor does not run ${target.instanceId}`);
    if (known?.state === 'stopped') throw new ControllerError('stopped_on_purpose', `${target.instanceId} was stopped through the supervisor`);
    const token = await readTokenFile(this.opts.tokenFile);
    await this.call(`/v1/instances/${encodeURIComponent(target.instanceId)}/restart`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    }, target.instanceId);
  }

  private async call(path: string, init: RequestInit, instanceId?: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.opts.url}${path}`, { ...init, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000) });
    } catch (err) {
      throw new ControllerError('actuator_unreachable', `supervisor at ${this.opts.url} does not answer: ${(err as Error).message}`, { cause: err });
    }
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    if (res.ok) return body;
    const detail = `${res.status} ${body.error?.code ?? ''} ${body.error?.message ?? ''}`.trim();
    if (res.status === 404 && body.error?.code === 'unknown_instance') {
      throw new ControllerError('unknown_instance', `supervisor does not run ${instanceId ?? '?'}: ${detail}`);
    }
    throw new ControllerError('actuator_refused', `supervisor refused ${init.method ?? 'GET'} ${path}: ${detail}`);
  }
}
