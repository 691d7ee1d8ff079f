import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { BrewopsError } from './errors.js';
import { ensureDir, type Paths } from './paths.js';

/** One backend as recorded by `up`. `pid` is null once `down` stopped it. */
export interface BackendRecord {
  pid: number | null;
  /** False when brewops reused a server it did not start (e.g. a system RabbitMQ): never stopped. */
  owned: boolean;
  url: string;
  ports: Record<string, number>;
  /** Log file, relative to the repository root when inside it. */
  log: string;
}

export interface SupervisorRecord {
  pid: number;
  url: string;
  /** File with the admin API bearer token (mode 0600), relative to the root when inside it. */
  tokenFile: string;
}

/** `.brewops/state.json`. Tests read this file: keep the shape. */
export interface BrewopsState {
  startedAt: string;
  root: string;
  backends: Record<string, BackendRecord>;
  supervisor: SupervisorRecord | null;
  gatewayUrl: string;
}

export function emptyState(root: string, gatewayUrl: string): BrewopsState {
  return { startedAt: new Date().toISOString(), root, backends: {}, supervisor: null, gatewayUrl };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and checks a state document; throws naming the first field that is wrong. */
export function parseState(text: string, file: string): BrewopsState {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new BrewopsError('no_state', `${file} is not valid JSON (${String(err)})`, `delete ${file} and run brewops up`);
  }
  const bad = (field: string): BrewopsError =>
    new BrewopsError('no_state', `${file}: field "${field}" is missing or has the wrong type`, `delete ${file} and run brewops up`);
  if (!isRecord(doc)) throw bad('(root)');
  if (typeof doc['root'] !== 'string') throw bad('root');
  if (typeof doc['startedAt'] !== 'string') throw bad('startedAt');
  if (typeof doc['gatewayUrl'] !== 'string') throw bad('gatewayUrl');
  if (!isRecord(doc['backends'])) throw bad('backends');
  for (const [name, b] of Object.entries(doc['backends'])) {
    if (!isRecord(b) || typeof b['owned'] !== 'boolean' || typeof b['url'] !== 'string') throw bad(`backends.${name}`);
    if (b['pid'] !== null && b['pid'] !== undefined && typeof b['pid'] !== 'number') throw bad(`backends.${name}.pid`);
  }
  const sup = doc['supervisor'];
  if (sup !== null && sup !== undefined && (!isRecord(sup) || typeof sup['pid'] !== 'number')) throw bad('supervisor');
  const state = doc as unknown as BrewopsState;
  for (const b of Object.values(state.backends)) b.pid ??= null;
  state.supervisor ??= null;
  return state;
}

/** The state file, or null when brewops has never run here. */
export function loadState(paths: Paths): BrewopsState | null {
  let text: string;
  try {
    text = readFileSync(paths.stateFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return parseState(text, paths.stateFile);
}

/** Writes atomically (temp file + rename), so a reader never sees half a file. */
export function saveState(paths: Paths, state: BrewopsState): void {
  ensureDir(paths.stateDir);
  const tmp = `${paths.stateFile}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, paths.stateFile);
}
