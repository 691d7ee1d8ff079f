export { groupCommit } from './group-commit.js';
export type { GroupCommit } from './group-commit.js';
export { openDatabase } from './open.js';
export type { Migration, OpenDatabaseOptions } from './open.js';
export { reliableStore } from './outbox.js';
export type { ReliableStore, ReliableStoreOptions } from './outbox.js';
