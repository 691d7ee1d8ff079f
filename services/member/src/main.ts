import { join } from 'node:path';
import { openDatabase, startService } from '@brewops/platform';
import { MembersRepo } from './db/members-repo.js';
import { MEMBER_MIGRATIONS } from './db/schema.js';
import { memberRoutes } from './routes/members.js';
import { configShape } from './config.js';
import type { MemberConfig } from './config.js';

startService({
  name: 'member',
  config: configShape,
  routes: (router, rt) => {
    // Env MEMBER_DB: this instance's SQLite file. @default <BREWOPS_STATE_DIR>/member.db
    const file = process.env['MEMBER_DB'] ?? join(rt.env.stateDir, 'member.db');
    const db = openDatabase({ file, migrations: MEMBER_MIGRATIONS, lifecycle: rt.lifecycle, logger: rt.logger });
    memberRoutes(router, new MembersRepo(db), () => rt.config.current as unknown as MemberConfig);
  },
}).catch((err: unknown) => {
  console.error('member failed to start:', err);
  process.exit(1);
});
