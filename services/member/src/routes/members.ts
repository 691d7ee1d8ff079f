import type Router from '@koa/router';
import { notFound } from '@brewops/platform';
import type { MembersRepo } from '../db/members-repo.js';
import type { MemberConfig } from '../config.js';
import { TIER_DISCOUNT } from '../handlers/members.js';
import { MEMBER_OPENAPI } from '../openapi.js';

export function memberRoutes(router: Router, repo: MembersRepo, config: () => MemberConfig): void {
  router.get('/v1/openapi.json', (ctx) => {
    ctx.body = MEMBER_OPENAPI;
  });
  router.get('/v1/tiers', (ctx) => {
    ctx.body = { tiers: Object.entries(TIER_DISCOUNT).map(([tier, discountPercent]) => ({ tier, discountPercent })) };
  });
  router.get('/v1/members/:id', (ctx) => {
    const member = repo.find(ctx.params['id'] ?? '');
    if (!member) throw notFound('member_not_found', 'no member with this id');
    // Central config, read per request: a push changes it with no restart.
    const maxAge = config().cacheMaxAgeSeconds;
    ctx.set('cache-control', maxAge > 0 ? `max-age=${maxAge}` : 'no-store');
    ctx.body = member;
  });
}
