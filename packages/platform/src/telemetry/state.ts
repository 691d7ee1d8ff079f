/** Where `telemetry/register` keeps the started SDK, shared by every copy of this package in the process. */
export const TELEMETRY_KEY = Symbol.for('brewops.telemetry');

/** The part of the NodeSDK that shutdown needs. */
export interface RegisteredTelemetry {
  shutdown(): Promise<void>;
}

type Holder = { [TELEMETRY_KEY]?: RegisteredTelemetry };

export function registeredTelemetry(): RegisteredTelemetry | undefined {
  return (globalThis as Holder)[TELEMETRY_KEY];
}

export function setRegisteredTelemetry(sdk: RegisteredTelemetry | undefined): void {
  if (sdk === undefined) delete (globalThis as Holder)[TELEMETRY_KEY];
  else (globalThis as Holder)[TELEMETRY_KEY] = sdk;
}

/** Where the SDK's instrumentations are kept, so a service can turn one off (see disableKoaInstrumentation). */
export const INSTRUMENTATIONS_KEY = Symbol.for('brewops.telemetry.instrumentations');

/** The part of an OTel instrumentation needed here. */
export interface RegisteredInstrumentation {
  readonly instrumentationName: string;
  disable(): void;
}

type InstrumentationHolder = { [INSTRUMENTATIONS_KEY]?: readonly RegisteredInstrumentation[] };

export function registeredInstrumentations(): readonly RegisteredInstrumentation[] {
  return (globalThis as InstrumentationHolder)[INSTRUMENTATIONS_KEY] ?? [];
}

export function setRegisteredInstrumentations(list: readonly RegisteredInstrumentation[]): void {
  (globalThis as InstrumentationHolder)[INSTRUMENTATIONS_KEY] = list;
}
