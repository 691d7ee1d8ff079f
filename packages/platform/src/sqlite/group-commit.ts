import type Database from 'better-sqlite3';

export interface GroupCommit {
  /**
   * Runs `run` in one transaction of the database: the consumer's batch (`consume(..., { transaction })`).
   * Each message's own transaction becomes a savepoint inside it. Throws, with everything rolled back,
   * when `run` throws or the commit fails.
   */
  transaction(run: () => void): void;
  /**
   * Runs `fn` once what was just written is committed. Inside a batch, that is after the batch's
   * commit, and a rolled-back batch drops it. Outside a batch, it runs at once.
   * This is for effects that must not count a write twice: metrics, waking the outbox relay.
   * A rolled-back batch is delivered again, and would otherwise be counted a second time.
   */
  afterCommit(fn: () => void): void;
}

export function groupCommit(db: Database.Database): GroupCommit {
  const batch = db.transaction((run: () => void) => run());
  let pending: Array<() => void> | undefined;
  return {
    transaction(run) {
      if (pending !== undefined) {
        run(); // already inside a batch: joins it
        return;
      }
      const mine: Array<() => void> = [];
      pending = mine;
      try {
        batch(run);
      } finally {
        pending = undefined;
      }
      for (const fn of mine) fn();
    },
    afterCommit(fn) {
      if (pending !== undefined) pending.push(fn);
      else fn();
    },
  };
}
