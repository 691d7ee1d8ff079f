/** One order as the status read model sees it, built only from events. */
export interface OrderStatus {
  readonly orderId: string;
  readonly status: string;
  readonly updatedAt: string;
  readonly history: ReadonlyArray<{ status: string; at: string; eventId: string }>;
}

/**
 * In-memory read model. Applying an event twice (same event id) changes nothing.
 * Persistence, rebuild from the archive and SSE come with the business issue.
 */
export class StatusReadModel {
  private readonly orders = new Map<string, OrderStatus>();

  apply(orderId: string, status: string, at: string, eventId: string): boolean {
    const current = this.orders.get(orderId);
    if (current?.history.some((h) => h.eventId === eventId)) return false;
    const history = [...(current?.history ?? []), { status, at, eventId }];
    this.orders.set(orderId, { orderId, status, updatedAt: at, history });
    return true;
  }

  get(orderId: string): OrderStatus | undefined {
    return this.orders.get(orderId);
  }
}
