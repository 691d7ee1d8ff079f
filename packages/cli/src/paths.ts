import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** Where everything lives for one checkout. */
export interface Paths {
  /** Repository root: the directory whose package.json is named `brewops`. */
  readonly root: string;
  /** `<root>/.brewops`, or env `BREWOPS_HOME`. */
  readonly stateDir: string;
  readonly logsDir: string;
  /** Downloaded artifacts (Maven jars). */
  readonly libDir: string;
  readonly stateFile: string;
  readonly tokenFile: string;
}

function isRepoRoot(dir: string): boolean {
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg)) return false;
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'brewops';
  } catch {
    return false;
  }
}

/** Walks up from `from` to the brewops repository root. */
export function findRepoRoot(from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    if (isRepoRoot(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no brewops repository above ${from} (looked for package.json with "name": "brewops")`);
    dir = parent;
  }
}

export function resolvePaths(root?: string, env: NodeJS.ProcessEnv = process.env): Paths {
  const r = root ?? findRepoRoot();
  const home = env['BREWOPS_HOME'];
  const stateDir = home ? resolve(home) : join(r, '.brewops');
  return {
    root: r,
    stateDir,
    logsDir: join(stateDir, 'logs'),
    libDir: join(stateDir, 'lib'),
    stateFile: join(stateDir, 'state.json'),
    tokenFile: join(stateDir, 'admin-token'),
  };
}

/** Path as stored in state.json and shown to users: relative to the root when inside it. */
export function displayPath(paths: Paths, p: string): string {
  const rel = relative(paths.root, p);
  return rel.startsWith('..') || isAbsolute(rel) ? p : rel;
}

/** Absolute form of a path stored by `displayPath`. */
export function absolutePath(paths: Paths, p: string): string {
  return isAbsolute(p) ? p : join(paths.root, p);
}

export function logFile(paths: Paths, name: string): string {
  return join(paths.logsDir, `${name}.log`);
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
