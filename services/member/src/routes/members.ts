import type Router from '@koa/router';
import { notFound } from '@brewops/platform';
import type { MemberDirectory } from '../handlers/members.js';

export function memberRoutes(router: Router, directory: MemberDirectory): void {
  router.get('/v1/members/:id', (ctx) => {
    const member = directory.find(ctx.params['id'] ?? '');
    if (!member) throw notFound('member_not_found', 'no member with this id');
    ctx.body = member;
  });
}
