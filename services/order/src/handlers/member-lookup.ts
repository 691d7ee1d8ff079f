import type { Logger, ServiceClient } from '@brewops/platform';
import type { MemberLookup } from './place-order.js';

/**
 * Looks the member up over HTTP. Any failure (no instance, timeout, 5xx) degrades to guest
 * pricing with a flag rather than failing the order: the member service is not critical path.
 */
export async function lookupMember(client: ServiceClient, memberId: string | undefined, logger: Logger): Promise<MemberLookup> {
  if (!memberId) return { kind: 'guest' };
  try {
    const res = await client.request({ method: 'GET', path: `/v1/members/${encodeURIComponent(memberId)}` });
    if (res.status === 200) {
      const discount = (res.body as { discountPercent?: unknown }).discountPercent;
      return { kind: 'found', memberId, discountPercent: typeof discount === 'number' ? discount : 0 };
    }
    if (res.status === 404) return { kind: 'unknown', memberId };
    logger.warn({ status: res.status }, 'member lookup failed; pricing as guest');
    return { kind: 'unavailable', memberId };
  } catch (err) {
    logger.warn({ err }, 'member unavailable; pricing as guest');
    return { kind: 'unavailable', memberId };
  }
}
