/** A payment as the payment service keeps it. */
export interface Payment {
  readonly orderId: string;
  readonly paymentId: string;
  readonly amountCents: number;
  readonly status: 'charged' | 'declined' | 'refunded';
  readonly reason: string | null;
  readonly updatedAt: string;
}

/** Charge or decline: the simulated card has a limit per order. Pure. */
export function decideCharge(amountCents: number, limitCents: number): { status: 'charged' } | { status: 'declined'; reason: 'limit_exceeded' } {
  return amountCents > limitCents ? { status: 'declined', reason: 'limit_exceeded' } : { status: 'charged' };
}

/**
 * The compensation for a rejected coffee: refund a charged payment. A payment already refunded
 * or never charged needs nothing (`none`); no payment at all means the charge has not been
 * processed yet (`wait`: the message is retried).
 */
export function decideRefund(payment: Payment | undefined): 'refund' | 'none' | 'wait' {
  if (!payment) return 'wait';
  return payment.status === 'charged' ? 'refund' : 'none';
}
