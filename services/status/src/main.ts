import { join } from 'node:path';
import { openDatabase, ProcessedMessages, startService } from '@brewops/platform';
import { STATUS_MIGRATIONS } from './db/schema.js';
import { StatusRepo } from './db/status-repo.js';
import { StatusFeed } from './handlers/status-feed.js';
import { statusRoutes } from './routes/status.js';
import { consumeOrderEvents } from './events/order-events.js';

const feed = new StatusFeed();
let repo: StatusRepo | undefined;

startService({
  name: 'status',
  messaging: true,
  routes: (router, rt) => {
    // Env STATUS_DB: the read model's SQLite file. @default <BREWOPS_STATE_DIR>/status.db
    const file = process.env['STATUS_DB'] ?? join(rt.env.stateDir, 'status.db');
    const db = openDatabase({ file, migrations: STATUS_MIGRATIONS, lifecycle: rt.lifecycle, logger: rt.logger });
    const processed = new ProcessedMessages(db);
    const stopPurge = processed.purgeEvery();
    rt.lifecycle.onShutdown('processed-purge', async () => { stopPurge(); }, 'drain');
    repo = new StatusRepo(db, processed);
    statusRoutes(router, repo, feed);
  },
  start: (rt) => consumeOrderEvents(rt, repo!, feed),
}).catch((err: unknown) => {
  console.error('status failed to start:', err);
  process.exit(1);
});
