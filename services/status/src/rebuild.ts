/**
 * Rebuilds the status read model from the event archive into a fresh SQLite file: the read model
 * is derived data, so losing or corrupting it loses nothing.
 *
 *   node services/status/dist/src/rebuild.js <new-db-file> [--search http://127.0.0.1:9200] [--order <orderId>]
 *
 * Then stop the status instance, move the file to its STATUS_DB (default
 * `<BREWOPS_STATE_DIR>/status.db`) and start it: it resumes from the queue, and events it already
 * has (by message ID) are skipped.
 */
import { existsSync } from 'node:fs';
import { openDatabase, ProcessedMessages } from '@brewops/platform';
import { STATUS_MIGRATIONS } from './db/schema.js';
import { StatusRepo } from './db/status-repo.js';
import { archivedEvents } from './events/archive.js';
import { changeOf } from './handlers/read-model.js';
import type { OrderStatus } from './handlers/read-model.js';

export interface RebuildResult {
  readonly applied: number;
  readonly invalid: number;
  /** With `orderId`: that order as rebuilt. */
  readonly order?: OrderStatus | null;
}

export async function rebuild(file: string, searchUrl: string, orderId?: string): Promise<RebuildResult> {
  if (existsSync(file)) throw new Error(`${file} exists: rebuild into a new file`);
  const db = openDatabase({ file, migrations: STATUS_MIGRATIONS });
  try {
    const repo = new StatusRepo(db, new ProcessedMessages(db));
    let applied = 0;
    let invalid = 0;
    for await (const event of archivedEvents({ url: searchUrl, ...(orderId ? { orderId } : {}) }, () => invalid++)) {
      if (repo.apply(changeOf(event))) applied++;
    }
    return { applied, invalid, ...(orderId ? { order: repo.get(orderId) ?? null } : {}) };
  } finally {
    db.close();
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file || file.startsWith('--')) {
    console.error('usage: rebuild.js <new-db-file> [--search http://127.0.0.1:9200] [--order <orderId>]');
    process.exit(2);
  }
  rebuild(file, arg('--search') ?? process.env['OPENSEARCH_URL'] ?? 'http://127.0.0.1:9200', arg('--order'))
    .then((r) => console.log(JSON.stringify({ file, ...r })))
    .catch((err: unknown) => {
      console.error(`rebuild failed: ${String(err)}`);
      process.exit(1);
    });
}
