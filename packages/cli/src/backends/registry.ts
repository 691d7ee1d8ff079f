import { alertmanagerBackend } from './alertmanager.js';
import { etcdBackend } from './etcd.js';
import { opensearchBackend } from './opensearch.js';
import { prometheusBackend } from './prometheus.js';
import { rabbitmqBackend } from './rabbitmq.js';
import { BACKEND_NAMES, type Backend, type BackendContext, type BackendName } from './types.js';
import { zipkinBackend } from './zipkin.js';

const FACTORIES: Record<BackendName, (ctx: BackendContext) => Backend> = {
  rabbitmq: rabbitmqBackend,
  etcd: etcdBackend,
  zipkin: zipkinBackend,
  opensearch: opensearchBackend,
  prometheus: prometheusBackend,
  alertmanager: alertmanagerBackend,
};

/** Every backend, in the order `up` lists them. */
export function createBackends(ctx: BackendContext): Backend[] {
  return BACKEND_NAMES.map((name) => FACTORIES[name](ctx));
}

export function createBackend(name: BackendName, ctx: BackendContext): Backend {
  return FACTORIES[name](ctx);
}
