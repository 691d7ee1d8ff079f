import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { usageError } from '../errors.js';
import type { Scenario } from './types.js';

interface TsxApi {
  require(id: string, fromFile: string): unknown;
}

/**
 * Loads a scenario script (`loadtest/*.ts`, or .js) in this process through tsx's CommonJS
 * API (`tsx/cjs/api`, a dev dependency at the repository root: transpiles, no type check).
 * The script exports its scenario as `default` (or `scenario`). A missing file or a script that
 * exports no scenario is bad input (exit 2); an exception inside the script is reported with it.
 */
export function loadScenarioScript(file: string, cwd = process.cwd()): { scenario: Scenario; name: string } {
  const abs = resolve(cwd, file);
  if (!existsSync(abs)) throw usageError(`load: --script ${file}: no such file`);
  let mod: unknown;
  if (/\.[cm]?ts$/.test(abs)) {
    let tsx: TsxApi;
    try {
      tsx = require('tsx/cjs/api') as TsxApi;
    } catch {
      throw usageError(`load: --script ${file}: loading TypeScript needs tsx (a dev dependency at the repository root): run npm ci`);
    }
    try {
      mod = tsx.require(abs, __filename);
    } catch (err) {
      throw usageError(`load: --script ${file} failed to load: ${(err as Error).message.split('\n')[0]}`);
    }
  } else {
    try {
      mod = require(abs) as unknown;
    } catch (err) {
      throw usageError(`load: --script ${file} failed to load: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const m = mod as { default?: unknown; scenario?: unknown } | null;
  const scenario = (m?.default ?? m?.scenario) as Scenario | undefined;
  if (typeof scenario !== 'object' || scenario === null) {
    throw usageError(`load: --script ${file} exports no scenario: write \`export default defineScenario({ ... })\``);
  }
  return { scenario, name: basename(abs).replace(/\.[cm]?[jt]s$/, '') };
}
