import { isServiceBreakerOpen } from '@brewops/platform';
import type { Logger, ServiceBreaker, ServiceClient } from '@brewops/platform';
import type { MemberLookup } from './place-order.js';

/** The member service as order sees it: its client, behind the order → member service breaker. */
export interface MemberApi {
  readonly client: () => Promise<Pick<ServiceClient, 'request'>>;
  readonly breaker: Pick<ServiceBreaker, 'execute'>;
}

/**
 * Looks the member up over HTTP through the service breaker. Any failure (no instance, timeout,
 * 5xx) degrades to guest pricing with a flag rather than failing the order: the member service is
 * not on the critical path. While the breaker is open no call is made (`cause: breaker_open`).
 */
export async function lookupMember(api: MemberApi, memberId: string | undefined, logger: Logger): Promise<MemberLookup> {
  if (!memberId) return { kind: 'guest' };
  try {
    const client = await api.client();
    const res = await api.breaker.execute(() => client.request({ method: 'GET', path: `/v1/members/${encodeURIComponent(memberId)}` }));
    if (res.status === 200) {
      const discount = (res.body as { discountPercent?: unknown }).discountPercent;
      return { kind: 'found', memberId, discountPercent: typeof discount === 'number' ? discount : 0 };
    }
    if (res.status === 404) return { kind: 'unknown', memberId };
    logger.warn({ status: res.status }, 'member lookup failed; pricing as guest');
    return { kind: 'unavailable', memberId, cause: 'call_failed' };
  } catch (err) {
    // the breaker logs its own transitions; one line per skipped call would only repeat it
    if (isServiceBreakerOpen(err)) return { kind: 'unavailable', memberId, cause: 'breaker_open' };
    logger.warn({ err }, 'member unavailable; pricing as guest');
    return { kind: 'unavailable', memberId, cause: 'call_failed' };
  }
}
