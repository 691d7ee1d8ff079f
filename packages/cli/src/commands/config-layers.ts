import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isMap, LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';

/**
 * The config tree, lowest precedence first (later layers win, key by key):
 *   config/base.yaml                  every service, every environment
 *   config/env/<env>.yaml             every service in one environment
 *   config/services/<svc>.yaml        one service
 *   config/services/<svc>.<env>.yaml  one service in one environment (optional)
 * Every file is a partial config: the same keys as the service's schema.
 */
export interface LayerFile {
  /** Path shown to users (relative to the repository root when inside it). */
  readonly file: string;
  readonly value: Record<string, unknown>;
  readonly doc: Document;
  readonly lines: LineCounter;
}

/** A problem found in a file: where, and why. */
export interface LayerIssue {
  readonly file: string;
  readonly line?: number;
  readonly path: string;
  readonly reason: string;
  /** Services whose config it breaks (empty: the file itself is broken). */
  readonly services?: readonly string[];
}

export interface ConfigTree {
  readonly dir: string;
  readonly envs: readonly string[];
  readonly base: LayerFile | null;
  readonly env: LayerFile | null;
  /** `<svc>` and `<svc>.<env>` files by file stem. */
  readonly services: ReadonlyMap<string, LayerFile>;
}

const yamlFiles = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort() : [];

/** Reads one YAML layer; syntax errors and non-mapping documents become issues. */
export function readLayer(path: string, shown: string, issues: LayerIssue[]): LayerFile | null {
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(path, 'utf8'), { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) issues.push({ file: shown, line: e.linePos?.[0].line ?? 0, path: '(yaml)', reason: (e.message.split('\n')[0] ?? e.code).replace(/ at line \d+, column \d+:?$/, '') });
    return null;
  }
  if (doc.contents === null) return { file: shown, value: {}, doc, lines };
  if (!isMap(doc.contents)) {
    issues.push({ file: shown, line: 1, path: '(root)', reason: 'a config layer must be a mapping of keys' });
    return null;
  }
  return { file: shown, value: doc.toJS() as Record<string, unknown>, doc, lines };
}

/** Loads every layer of the tree for `env`; the issues list gets every unreadable file. */
export function loadTree(dir: string, env: string, root: string, issues: LayerIssue[]): ConfigTree {
  const shown = (p: string): string => {
    const r = relative(root, p);
    return r.startsWith('..') ? p : r;
  };
  const envs = yamlFiles(join(dir, 'env')).map((f) => f.slice(0, -'.yaml'.length));
  const basePath = join(dir, 'base.yaml');
  const base = existsSync(basePath) ? readLayer(basePath, shown(basePath), issues) : null;
  const envPath = join(dir, 'env', `${env}.yaml`);
  const envLayer = existsSync(envPath) ? readLayer(envPath, shown(envPath), issues) : null;
  const services = new Map<string, LayerFile>();
  for (const f of yamlFiles(join(dir, 'services'))) {
    const layer = readLayer(join(dir, 'services', f), shown(join(dir, 'services', f)), issues);
    if (layer) services.set(f.slice(0, -'.yaml'.length), layer);
  }
  return { dir, envs, base, env: envLayer, services };
}

/** The layers that make one service's config, lowest precedence first. */
export function layersFor(tree: ConfigTree, service: string, env: string): LayerFile[] {
  return [tree.base, tree.env, tree.services.get(service) ?? null, tree.services.get(`${service}.${env}`) ?? null].filter(
    (l): l is LayerFile => l !== null,
  );
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep-merges layers: mappings merge key by key, anything else replaces. `sources` maps every
 * leaf's dotted path to the file that set it.
 */
export function mergeLayers(layers: readonly LayerFile[]): { config: Record<string, unknown>; sources: Record<string, string> } {
  const config: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  const dropUnder = (path: string): void => {
    for (const k of Object.keys(sources)) if (k === path || k.startsWith(`${path}.`)) delete sources[k];
  };
  const merge = (target: Record<string, unknown>, layer: Record<string, unknown>, file: string, prefix: string): void => {
    for (const [key, value] of Object.entries(layer)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (isPlainObject(value) && Object.keys(value).length > 0) {
        if (!isPlainObject(target[key])) {
          dropUnder(path);
          target[key] = {};
        }
        merge(target[key] as Record<string, unknown>, value, file, path);
      } else {
        dropUnder(path);
        target[key] = isPlainObject(value) ? {} : value;
        sources[path] = file;
      }
    }
  };
  for (const l of layers) merge(config, l.value, l.file, '');
  return { config, sources };
}

/** The file that set `path` (or a key under it), the last such layer winning; with its line. */
export function locate(layers: readonly LayerFile[], path: string): { file: string; line?: number } {
  const segments = path.split('.');
  for (const l of [...layers].reverse()) {
    for (let n = segments.length; n > 0; n--) {
      const node = l.doc.getIn(segments.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) {
        // an ancestor only counts when the issue is about a key this file wrote under it
        if (n < segments.length && !hasKeyUnder(l.value, segments.slice(0, n + 1))) continue;
        return { file: l.file, line: l.lines.linePos(node.range[0]).line };
      }
    }
  }
  return { file: '(schema defaults)' };
}

function hasKeyUnder(value: Record<string, unknown>, segments: readonly string[]): boolean {
  let cur: unknown = value;
  for (const s of segments) {
    if (!isPlainObject(cur) || !(s in cur)) return false;
    cur = cur[s];
  }
  return true;
}
