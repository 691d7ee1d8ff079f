/**
 * The few logger methods the connection-level modules (messaging, discovery) use; any pino
 * logger fits. Structural, so those modules do not depend on `log/`.
 */
export interface LoggerLike {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}
