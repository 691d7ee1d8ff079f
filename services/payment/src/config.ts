import { join } from 'node:path';

/** Payment service options, from the environment. */
export interface PaymentConfig {
  /** SQLite file of this instance. Env `PAYMENT_DB`. @default `<BREWOPS_STATE_DIR>/payment.db` */
  readonly dbFile: string;
  /** Charges above this amount are declined (the simulated card limit). Env `PAYMENT_LIMIT_CENTS`. @default 5000 */
  readonly limitCents: number;
}

export function readPaymentConfig(env: NodeJS.ProcessEnv, stateDir: string): PaymentConfig {
  return {
    dbFile: env['PAYMENT_DB'] ?? join(stateDir, 'payment.db'),
    limitCents: Number(env['PAYMENT_LIMIT_CENTS'] ?? 5000),
  };
}
