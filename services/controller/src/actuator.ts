/** An instance an actuator acts on: the registry's service and instance ID. */
export interface ActuatorTarget {
  readonly service: string;
  readonly instanceId: string;
}

/**
 * What restarts instances. `LocalSupervisorActuator` drives the supervisor of `brewops up`;
 * Docker Engine and Kubernetes actuators implement the same interface.
 * Errors are `ControllerError`s (`unknown_instance` when the instance was removed on purpose).
 */
export interface Actuator {
  /** Short name for logs and spans, e.g. `local-supervisor`. */
  readonly kind: string;
  /** Stops the instance (if still running) and starts it again; resolves once it is started (not yet ready). */
  restart(target: ActuatorTarget): Promise<void>;
}
