import { join } from 'node:path';
import { ProcessedMessages, startService } from '@brewops/platform';
import { openDatabase } from './db/open.js';
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
    const db = openDatabase(process.env['STATUS_DB'] ?? join(rt.env.stateDir, 'status.db'));
    const processed = new ProcessedMessages(db);
    const stopPurge = processed.purgeEvery();
    repo = new StatusRepo(db, processed);
    rt.lifecycle.onShutdown('database', async () => { stopPurge(); db.close(); }, 'flush');
    statusRoutes(router, repo, feed);
  },
  start: (rt) => consumeOrderEvents(rt, repo!, feed),
}).catch((err: unknown) => {
  console.error('status failed to start:', err);
  process.exit(1);
});
